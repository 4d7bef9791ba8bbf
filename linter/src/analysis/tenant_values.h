// tenant_values.h — which expressions name the current tenant: parameters in
// every spelling ($1, @name and :name once rewritten, ?, sqlc.arg(x)),
// PL/pgSQL variables and arguments, current_setting() of the tenant setting,
// tenant_guard's functions and the configured ones, and literals (which the
// hard-coded-tenant rule reports).
#pragma once

#include <set>
#include <string>

#include "analysis/analysis.h"
#include "analysis/placeholders.h"
#include "parse/pg_nodes.h"

namespace tlint {

enum class ValueKind { None, Tenant, Literal };

class ValueJudge {
public:
	ValueJudge(const AnalysisOptions &options, const std::set<std::string> &variables,
			   const Placeholders *placeholders)
		: options_(options), variables_(variables), placeholders_(placeholders) {}

	/* What node is, leaving column references aside (the constraint solver resolves those). */
	ValueKind Of(Node *node) const;
	/* A set of tenants the application computed: = ANY($1), IN (sqlc.slice(ids)). */
	bool IsSetParameter(Node *node) const;
	bool AcceptsSets() const { return options_.any_tenant_parameter; }
	bool IsVariable(const std::string &name) const { return variables_.count(name) > 0; }
	const std::set<std::string> &Variables() const { return variables_; }

private:
	const AnalysisOptions &options_;
	const std::set<std::string> &variables_;
	const Placeholders *placeholders_;

	bool IsTenantFunction(FuncCall *call) const;
};

} // namespace tlint
