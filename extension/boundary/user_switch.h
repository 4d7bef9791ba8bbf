/*
 * user_switch.h — run a few statements as another role (the extension owner,
 * a referenced table's owner) and restore the caller's identity on every
 * exit, C++ exceptions included. On a PostgreSQL ERROR the transaction abort
 * restores it as well.
 */
#pragma once

extern "C" {
#include "postgres.h"
#include "miscadmin.h"
}

namespace tg {

class UserSwitch {
public:
	/* extra_context: more SECURITY_* flags, e.g. SECURITY_NOFORCE_RLS as PostgreSQL's key checks use. */
	explicit UserSwitch(Oid user, int extra_context = 0)
	{
		GetUserIdAndSecContext(&saved_user_, &saved_context_);
		SetUserIdAndSecContext(user, saved_context_ | SECURITY_LOCAL_USERID_CHANGE | extra_context);
	}
	~UserSwitch() { SetUserIdAndSecContext(saved_user_, saved_context_); }
	UserSwitch(const UserSwitch &) = delete;
	UserSwitch &operator=(const UserSwitch &) = delete;

private:
	Oid saved_user_ = InvalidOid;
	int saved_context_ = 0;
};

} // namespace tg
