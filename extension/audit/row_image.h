/*
 * row_image.h — a row as jsonb for the audit trail, the same for every
 * session: the common types are converted without their output functions,
 * whose text depends on settings (TimeZone, DateStyle, IntervalStyle,
 * extra_float_digits, bytea_output). docs/audit.md lists the rules.
 *
 * C-style on purpose: these functions run once per audited row, hold no C++
 * objects, and are called through PgCall by the trigger.
 */
#pragma once

extern "C" {
#include "postgres.h"
#include "access/htup.h"
#include "access/tupdesc.h"
#include "fmgr.h"
#include "lib/stringinfo.h"
#include "utils/jsonb.h"
}

namespace tg::audit {

enum class ValueKind : uint8 {
	Bool,
	Int,
	Numeric,
	Float4,
	Float8,
	Text,
	Jsonb,
	Json,
	DateTime, /* date, time, timetz, timestamp: ISO 8601, no session setting involved */
	TimestampTz, /* ISO 8601 in UTC */
	Interval,	 /* ISO 8601 duration */
	Bytea,		 /* "\x" and lower-case hex */
	Array,
	Other /* the type's output function */
};

struct TypePlan {
	Oid type; /* after domains */
	ValueKind kind;
	int16 typlen;
	bool typbyval;
	char typalign;
	Oid element_type; /* typelem: set for arrays (and a few fixed-length types) */
};

struct ColumnPlan {
	AttrNumber attnum;
	const char *name;
	int name_len;
	TypePlan type;
	TypePlan element; /* for arrays */
	bool excluded;
};

struct RowPlan {
	int ncolumns;
	ColumnPlan *columns; /* one per live attribute, in attnum order */
	/*
	 * Without jsonb, json or array columns, the image is built directly as a
	 * jsonb object of scalars, its keys already in jsonb's order, and its
	 * text written on the way (see RowImage).
	 */
	bool flat;
	int nimage;			  /* non-excluded columns */
	int *image_order;	  /* indexes into columns, in jsonb key order */
	const char **key_texts; /* per entry of image_order: the escaped key and ": " */
	int *key_text_lens;
};

/* Plans the relation's columns, in mcxt; excluded: names that never reach the trail. */
RowPlan *PlanRow(TupleDesc desc, const char *const *excluded, int nexcluded, MemoryContext mcxt);

/*
 * The row as a jsonb object of its non-excluded columns; text receives the
 * jsonb's text output, byte for byte what JsonbToCString (new_row::text)
 * prints, which the canonical encoding hashes.
 */
Jsonb *RowImage(const RowPlan *plan, HeapTuple tuple, TupleDesc desc, StringInfo text);

/*
 * Appends the jsonb's text output, byte for byte what JsonbToCString
 * (jsonb::text) prints, copying runs of plain bytes at once where escape_json()
 * appends byte by byte: verify_audit() prints every stored image with it.
 */
void AppendJsonbText(StringInfo out, Jsonb *jb);

/*
 * Names of the non-excluded columns whose values differ between the two
 * versions (binary image comparison after detoasting), as a text[] datum;
 * names (room for plan->ncolumns) and *count receive them as C strings too.
 */
Datum ChangedColumns(const RowPlan *plan, HeapTuple old_tuple, HeapTuple new_tuple,
					 TupleDesc desc, const char **names, int *count);

} // namespace tg::audit
