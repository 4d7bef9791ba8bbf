/*
 * trigger_call.h — checks that a C++ trigger function was called the way its
 * CREATE TRIGGER must say, before it touches TriggerData.
 */
#pragma once

#include "boundary/pg_boundary.h"

extern "C" {
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

} // namespace tg
