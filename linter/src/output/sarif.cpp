#include <nlohmann/json.hpp>

#include <map>

#include "output/report.h"
#include "rules/registry.h"
#include "source/source_file.h"

namespace tlint {

namespace {

/* GitHub code scanning takes at most this many results per run. */
constexpr size_t kMaxSarifResults = 25000;

const char *SarifLevel(Severity s)
{
	switch (s) {
	case Severity::Error:
		return "error";
	case Severity::Warning:
		return "warning";
	default:
		return "note";
	}
}

/* FNV-1a: stable across compilers and runs, unlike std::hash. */
uint64_t Fnv1a(std::string_view s)
{
	uint64_t h = 1469598103934665603ULL;
	for (unsigned char c : s) {
		h ^= c;
		h *= 1099511628211ULL;
	}
	return h;
}

std::string Hex(uint64_t v)
{
	static const char digits[] = "0123456789abcdef";
	std::string out(16, '0');
	for (int i = 15; i >= 0; i--, v >>= 4)
		out[static_cast<size_t>(i)] = digits[v & 0xF];
	return out;
}

std::string PercentEncode(const std::string &path)
{
	std::string out;
	for (unsigned char c : path) {
		if (std::isalnum(c) || c == '/' || c == '-' || c == '_' || c == '.' || c == '~')
			out += static_cast<char>(c);
		else {
			static const char digits[] = "0123456789ABCDEF";
			out += '%';
			out += digits[c >> 4];
			out += digits[c & 0xF];
		}
	}
	return out;
}

} // namespace

std::string RelativeUri(const std::string &path, const std::string &base_dir)
{
	std::string base = base_dir;
	if (!base.empty() && base.back() != '/')
		base += '/';
	std::string rel = path;
	if (!base.empty() && path.compare(0, base.size(), base) == 0)
		rel = path.substr(base.size());
	while (rel.compare(0, 2, "./") == 0)
		rel = rel.substr(2);
	return PercentEncode(rel);
}

void WriteSarif(std::ostream &out, const std::vector<FileReport> &reports,
				const std::string &base_dir, const std::string &version)
{
	nlohmann::json rules = nlohmann::json::array();
	std::map<std::string, size_t> rule_index;
	for (const RuleInfo &r : AllRules()) {
		rule_index[r.id] = rules.size();
		rules.push_back({{"id", r.id},
						 {"name", r.id},
						 {"shortDescription", {{"text", r.summary}}},
						 {"fullDescription", {{"text", r.summary}}},
						 {"help", {{"text", r.help}}},
						 {"defaultConfiguration", {{"level", SarifLevel(r.default_severity)}}}});
	}
	nlohmann::json results = nlohmann::json::array();
	for (const FileReport &report : reports) {
		LineIndex const lines(report.source);
		std::map<std::string, int> seen; /* same line text twice: number the occurrences */
		for (const Finding &f : report.findings) {
			if (results.size() >= kMaxSarifResults)
				break;
			std::string const line(lines.Line(f.start.line));
			std::string const key = f.rule + '\x1f' + line;
			int const occurrence = ++seen[key];
			nlohmann::json result = {
				{"ruleId", f.rule},
				{"level", SarifLevel(f.severity)},
				{"message", {{"text", f.message}}},
				{"locations",
				 {{{"physicalLocation",
					{{"artifactLocation", {{"uri", RelativeUri(f.file, base_dir)}}},
					 {"region",
					  {{"startLine", f.start.line},
					   {"startColumn", std::max(1, f.start.column)},
					   {"endLine", f.end.line},
					   {"endColumn", std::max(1, f.end.column)}}}}}}}},
				{"partialFingerprints",
				 {{"primaryLocationLineHash", Hex(Fnv1a(key)) + ":" + std::to_string(occurrence)}}}};
			auto it = rule_index.find(f.rule);
			if (it != rule_index.end())
				result["ruleIndex"] = it->second;
			results.push_back(std::move(result));
		}
	}
	nlohmann::json sarif = {
		{"$schema", "https://json.schemastore.org/sarif-2.1.0.json"},
		{"version", "2.1.0"},
		{"runs",
		 {{{"tool",
			{{"driver",
			  {{"name", "tenant-lint"},
			   {"version", version},
			   {"informationUri", "https://pgxn.org/dist/tenant_guard/"},
			   {"rules", rules}}}}},
		   {"results", results}}}}};
	out << sarif.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
}

} // namespace tlint
