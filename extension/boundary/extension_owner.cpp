#include "boundary/extension_owner.h"

namespace tg {

Oid ExtensionOwner(SpiSession &spi)
{
	std::optional<std::string> owner = spi.Value("SELECT extowner FROM pg_catalog.pg_extension"
												 " WHERE extname OPERATOR(pg_catalog.=) 'tenant_guard'");
	if (!owner)
		throw Error(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE,
					"extension \"tenant_guard\" is not installed in this database",
					"Its registries belong to the extension, which this database lacks.",
					"Run CREATE EXTENSION tenant_guard.");
	return SqlOid(owner);
}

} // namespace tg
