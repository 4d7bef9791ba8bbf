/*
 * internal_ddl.h — marks the statements tenant_guard itself runs (policy
 * generation, repairs), so that its own hooks and event triggers let them
 * through, as pgaudit's internalStatement does. A depth counter, because
 * protect() recurses into partitions.
 */
#pragma once

namespace tg {

/* True while any InternalDdlScope is alive in this backend. */
bool InternalDdlActive();

class InternalDdlScope {
public:
	InternalDdlScope();
	~InternalDdlScope();
	InternalDdlScope(const InternalDdlScope &) = delete;
	InternalDdlScope &operator=(const InternalDdlScope &) = delete;
};

} // namespace tg
