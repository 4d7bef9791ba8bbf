// tenant-audit: anchors, exports and verifies the tenant_guard audit trail
// (docs/tenant-audit.md). The subcommands do the work; main only parses.
#include "commands.h"

#include <CLI/CLI.hpp>

#include <curl/curl.h>

int main(int argc, char **argv)
{
	using namespace tg::audit_cli;
	CLI::App app{"tenant-audit: anchor, export and verify the tenant_guard audit trail"};
	app.require_subcommand(1);

	AnchorOptions anchor;
	CLI::App *a = app.add_subcommand("anchor", "close a day and have its tree head time-stamped (RFC 3161)");
	a->add_option("--dsn", anchor.dsn, "libpq connection string")->required();
	a->add_option("--tsa", anchor.tsa, "the time-stamp authority's URL")->required();
	a->add_option("--day", anchor.day, "the UTC day to anchor, YYYY-MM-DD (default: yesterday)");
	a->add_option("--retries", anchor.retries, "attempts after the first when the TSA is unreachable")
		->check(CLI::Range(0, 100));
	a->add_option("--wait", anchor.wait_seconds, "seconds before the first retry, doubled each time")
		->check(CLI::Range(0.0, 3600.0));
	a->add_option("--timeout", anchor.timeout_seconds, "seconds per HTTP request")->check(CLI::Range(1.0, 600.0));

	ExportOptions exp;
	CLI::App *e = app.add_subcommand("export", "write the sealed log, closed days, tokens and proofs to DIR");
	e->add_option("--dsn", exp.dsn, "libpq connection string")->required();
	e->add_option("dir", exp.dir, "output directory")->required();

	VerifyOptions ver;
	CLI::App *v = app.add_subcommand("verify", "verify an export with no database");
	v->add_option("dir", ver.dir, "an export directory")->required()->check(CLI::ExistingDirectory);
	v->add_option("--ca", ver.ca, "PEM certificate(s) of the TSA's CA")->required()->check(CLI::ExistingFile);
	v->add_flag("!--no-progress", ver.progress, "no progress line, even on a terminal");

	try {
		app.parse(argc, argv);
	} catch (const CLI::ParseError &err) {
		int const rc = app.exit(err);
		return rc == 0 ? kExitOk : kExitError;
	}
	if (*a) {
		curl_global_init(CURL_GLOBAL_DEFAULT);
		int const rc = RunAnchor(anchor);
		curl_global_cleanup();
		return rc;
	}
	if (*e)
		return RunExport(exp);
	return RunVerify(ver);
}
