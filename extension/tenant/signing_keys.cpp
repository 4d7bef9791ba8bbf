/*
 * signing_keys.cpp — reads and caches the signing key file; also the
 * tenant_guard._signing_key_file_exposure() function behind check()'s
 * signing-keys-readable finding.
 */
#include "tenant/signing_keys.h"

#include "boundary/pg_boundary.h"
#include "boundary/sql_args.h"
#include "guc.h"

extern "C" {
#include "utils/builtins.h"
}

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace tg {

namespace {

/* What identifies one version of the file: a change to any of these rereads it. */
struct FileIdentity {
	dev_t device = 0;
	ino_t inode = 0;
	off_t size = 0;
	struct timespec modified = {};
	struct timespec changed = {}; /* chmod and chown change it too */

	static FileIdentity Of(const struct stat &st)
	{
		return {st.st_dev, st.st_ino, st.st_size, st.st_mtim, st.st_ctim};
	}
	bool operator==(const FileIdentity &o) const
	{
		return device == o.device && inode == o.inode && size == o.size &&
			   modified.tv_sec == o.modified.tv_sec && modified.tv_nsec == o.modified.tv_nsec &&
			   changed.tv_sec == o.changed.tv_sec && changed.tv_nsec == o.changed.tv_nsec;
	}
};

struct KeyCache {
	std::string path;
	FileIdentity identity;
	std::vector<SigningKey> keys; /* empty: nothing cached */
};

KeyCache cache;

[[noreturn]] void ThrowKeyFile(const std::string &path, const std::string &problem,
							   const std::string &hint)
{
	throw Error(ERRCODE_CONFIG_FILE_ERROR, "signing key file \"" + path + "\" " + problem,
				"No tenant token can be verified or minted until it is fixed.", hint);
}

const char *const kFileHint =
	"Write one key_id:base64_secret per line into a file owned by the server's OS user with "
	"mode 0600 (chmod 0600), name it in tenant_guard.signing_keys_file and reload.";

/* Why a file with this status would expose the keys, if it would. */
std::optional<std::string> Exposure(const struct stat &st)
{
	if (st.st_uid != geteuid())
		return std::string("is not owned by the server's OS user");
	if ((st.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
		char mode[8];
		snprintf(mode, sizeof(mode), "%04o", static_cast<unsigned>(st.st_mode & 07777));
		return std::string("has group or world access (mode ") + mode + ")";
	}
	return std::nullopt;
}

std::vector<SigningKey> ReadKeyFile(const std::string &path, FileIdentity *identity)
{
	/* Checked on the open descriptor, so the file read is the file checked. */
	int const fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		ThrowKeyFile(path, std::string("cannot be opened: ") + strerror(errno), kFileHint);
	struct Closer {
		int fd;
		~Closer() { close(fd); }
	} closer{fd};
	struct stat st;
	if (fstat(fd, &st) != 0)
		ThrowKeyFile(path, std::string("cannot be examined: ") + strerror(errno), kFileHint);
	if (!S_ISREG(st.st_mode))
		ThrowKeyFile(path, "is not a regular file", kFileHint);
	if (std::optional<std::string> exposure = Exposure(st))
		ThrowKeyFile(path, *exposure,
					 "Anyone who can read the keys can mint any tenant's token: chown the file "
					 "to the server's OS user, chmod 0600 it, replace the keys, and reload.");
	std::string contents;
	char buffer[4096];
	for (;;) {
		ssize_t const n = read(fd, buffer, sizeof(buffer));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			ThrowKeyFile(path, std::string("cannot be read: ") + strerror(errno), kFileHint);
		if (n == 0)
			break;
		contents.append(buffer, static_cast<size_t>(n));
		if (contents.size() > 1024 * 1024)
			ThrowKeyFile(path, "is larger than 1 MB", kFileHint);
	}
	std::string error;
	std::optional<std::vector<SigningKey>> keys = ParseSigningKeyFile(contents, &error);
	if (!keys)
		ThrowKeyFile(path, "is invalid: " + error, kFileHint);
	if (keys->empty())
		ThrowKeyFile(path, "holds no keys", kFileHint);
	*identity = FileIdentity::Of(st);
	return *keys;
}

} // namespace

const std::vector<SigningKey> &SigningKeys()
{
	std::string const path = tg_signing_keys_file != nullptr ? tg_signing_keys_file : "";
	if (path.empty())
		throw Error(ERRCODE_CONFIG_FILE_ERROR, "no tenant signing key file is configured",
					"tenant_guard.signing_keys_file is empty.", kFileHint);
	struct stat st;
	if (stat(path.c_str(), &st) == 0 && !cache.keys.empty() && cache.path == path &&
		cache.identity == FileIdentity::Of(st))
		return cache.keys;
	cache.keys.clear();
	FileIdentity identity;
	std::vector<SigningKey> keys = ReadKeyFile(path, &identity);
	cache.path = path;
	cache.identity = identity;
	cache.keys = std::move(keys);
	return cache.keys;
}

std::optional<std::string> SigningKeyFileExposure()
{
	std::string const path = tg_signing_keys_file != nullptr ? tg_signing_keys_file : "";
	struct stat st;
	if (path.empty() || stat(path.c_str(), &st) != 0)
		return std::nullopt;
	std::optional<std::string> exposure = Exposure(st);
	if (!exposure)
		return std::nullopt;
	return "signing key file \"" + path + "\" " + *exposure;
}

} // namespace tg

/* tenant_guard._signing_key_file_exposure() RETURNS text: NULL unless the key file is exposed. */
TG_FUNCTION(tg_signing_key_file_exposure)
{
	std::optional<std::string> exposure = tg::SigningKeyFileExposure();
	if (!exposure)
		PG_RETURN_NULL();
	return tg::TextDatum(*exposure);
}
