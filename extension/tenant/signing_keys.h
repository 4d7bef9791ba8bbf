/*
 * signing_keys.h — the keys for signed tenant tokens, read from the file
 * that tenant_guard.signing_keys_file names. Like ssl_key_file, the file must
 * belong to the server's OS user and be unreadable by group and others, so
 * no role but a superuser can learn the keys through SQL.
 */
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/tenant_token.h"

namespace tg {

/*
 * The configured keys (never empty), reread when the setting or the file
 * changes (path, inode, size, modification or status-change time). Throws a
 * F0000 tg::Error when no file is configured, it cannot be read, is readable
 * by others, or holds no valid keys.
 */
const std::vector<SigningKey> &SigningKeys();

/* Why the key file is readable by someone other than the server, if it is (for check()). */
std::optional<std::string> SigningKeyFileExposure();

} // namespace tg
