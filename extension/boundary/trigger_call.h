/*
 * trigger_call.h — checks that a C++ trigger function was called the way its
 * CREATE TRIGGER must say, before it touches TriggerData.
 */
#pragma once

#include "boundary/pg_boundary.h"

extern "C" {
#include "commands/event_trigger.h"
#include "commands/trigger.h"
}

namespace tg {

/*
 * The TriggerData of a BEFORE ... FOR EACH ROW call on one of the allowed
 * events (TRIGGER_EVENT_INSERT / _UPDATE bits); otherwise a 39P01 error
 * naming the function and how it must fire.
 */
TriggerData *RequireBeforeRowTrigger(FunctionCallInfo fcinfo, const char *function,
									 bool on_insert, bool on_update);

/*
 * The EventTriggerData of a call by an event trigger; otherwise a 39P01 error
 * naming the function, what it works on (purpose, a sentence) and the event
 * trigger that runs it.
 */
EventTriggerData *RequireEventTrigger(FunctionCallInfo fcinfo, const char *function,
									  const char *purpose, const char *event_trigger);

} // namespace tg
