#include "lint/finding.h"

namespace tlint {

const char *SeverityName(Severity severity)
{
	switch (severity) {
	case Severity::Info:
		return "info";
	case Severity::Warning:
		return "warning";
	case Severity::Error:
		return "error";
	case Severity::Off:
		return "off";
	}
	return "error";
}

} // namespace tlint
