#include "boundary/trigger_call.h"

#include <string>

namespace tg {

TriggerData *RequireBeforeRowTrigger(FunctionCallInfo fcinfo, const char *function, bool on_insert,
									 bool on_update)
{
	std::string const events = on_insert && on_update ? "INSERT OR UPDATE"
							   : on_insert			   ? "INSERT"
													   : "UPDATE";
	if (!CALLED_AS_TRIGGER(fcinfo))
		throw Error(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED,
					std::string(function) + " must be called as a trigger",
					"It was called directly, not by a trigger, so there is no row to check.",
					"Do not call it: tenant_guard.protect() and tenant_guard.protect_outbox() create "
					"the triggers that run it.");
	auto *td = reinterpret_cast<TriggerData *>(fcinfo->context);
	bool const event_ok = (on_insert && TRIGGER_FIRED_BY_INSERT(td->tg_event)) ||
						  (on_update && TRIGGER_FIRED_BY_UPDATE(td->tg_event));
	if (!TRIGGER_FIRED_BEFORE(td->tg_event) || !TRIGGER_FIRED_FOR_ROW(td->tg_event) || !event_ok)
		throw Error(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED,
					std::string(function) + " must fire BEFORE " + events + " FOR EACH ROW",
					"It checks each row before it is written, which only a BEFORE " + events +
						" FOR EACH ROW trigger sees.",
					"Drop this trigger and let tenant_guard.protect() or tenant_guard.protect_outbox() "
					"create it.");
	return td;
}

EventTriggerData *RequireEventTrigger(FunctionCallInfo fcinfo, const char *function,
									  const char *purpose, const char *event_trigger)
{
	if (!CALLED_AS_EVENT_TRIGGER(fcinfo))
		throw Error(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED,
					std::string(function) + " must be called as an event trigger",
					std::string(purpose) + ", and a direct call has no command.",
					std::string("Do not call it: the event trigger ") + event_trigger + " runs it.");
	return reinterpret_cast<EventTriggerData *>(fcinfo->context);
}

} // namespace tg
