#include "audit/row_image.h"

extern "C" {
#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "common/shortest_dec.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/date.h"
#include "utils/datetime.h"
#include "utils/datum.h"
#include "utils/json.h"
#include "utils/lsyscache.h"
#include "utils/numeric.h"
#include "utils/timestamp.h"
#include "utils/typcache.h"
}

#include <cmath>
#include <cstring>

namespace tg::audit {

namespace {

ValueKind KindOf(Oid type)
{
	switch (type) {
	case BOOLOID:
		return ValueKind::Bool;
	case INT2OID:
	case INT4OID:
	case INT8OID:
		return ValueKind::Int;
	case NUMERICOID:
		return ValueKind::Numeric;
	case FLOAT4OID:
		return ValueKind::Float4;
	case FLOAT8OID:
		return ValueKind::Float8;
	case TEXTOID:
	case VARCHAROID:
	case BPCHAROID:
	case NAMEOID:
		return ValueKind::Text;
	case JSONBOID:
		return ValueKind::Jsonb;
	case JSONOID:
		return ValueKind::Json;
	case DATEOID:
	case TIMEOID:
	case TIMETZOID:
	case TIMESTAMPOID:
		return ValueKind::DateTime;
	case TIMESTAMPTZOID:
		return ValueKind::TimestampTz;
	case INTERVALOID:
		return ValueKind::Interval;
	case BYTEAOID:
		return ValueKind::Bytea;
	default:
		return ValueKind::Other;
	}
}

/* Through the type cache (a hash lookup once warm): PlanRow runs once per statement. */
void PlanType(Oid declared, TypePlan *plan)
{
	TypeCacheEntry *entry = lookup_type_cache(declared, TYPECACHE_DOMAIN_BASE_INFO);
	Oid const base = entry->typtype == TYPTYPE_DOMAIN ? entry->domainBaseType : declared;
	if (base != declared)
		entry = lookup_type_cache(base, 0);
	plan->type = base;
	plan->kind = KindOf(base);
	plan->typlen = entry->typlen;
	plan->typbyval = entry->typbyval;
	plan->typalign = entry->typalign;
	plan->element_type = entry->typelem;
}

/* The type's output function, for the kinds converted through it. */
char *OutputText(const TypePlan &type, Datum value)
{
	Oid output = InvalidOid;
	bool varlena = false;
	getTypeOutputInfo(type.type, &output, &varlena);
	return OidOutputFunctionCall(output, value);
}

void PushString(JsonbParseState **state, JsonbIteratorToken token, const char *text, int len)
{
	JsonbValue v;
	v.type = jbvString;
	v.val.string.val = const_cast<char *>(text);
	v.val.string.len = len;
	pushJsonbValue(state, token, &v);
}

void PushNumeric(JsonbParseState **state, JsonbIteratorToken token, Numeric n)
{
	JsonbValue v;
	v.type = jbvNumeric;
	v.val.numeric = n;
	pushJsonbValue(state, token, &v);
}

/* A finite double as its shortest exact decimal; NaN and infinities as JSON strings. */
void PushDouble(JsonbParseState **state, JsonbIteratorToken token, double d, bool single)
{
	if (std::isnan(d)) {
		PushString(state, token, "NaN", 3);
		return;
	}
	if (std::isinf(d)) {
		const char *text = d > 0 ? "Infinity" : "-Infinity";
		PushString(state, token, text, static_cast<int>(strlen(text)));
		return;
	}
	char buf[32];
	if (single)
		float_to_shortest_decimal_buf(static_cast<float>(d), buf);
	else
		double_to_shortest_decimal_buf(d, buf);
	Datum const n = DirectFunctionCall3(numeric_in, CStringGetDatum(buf),
										ObjectIdGetDatum(InvalidOid), Int32GetDatum(-1));
	PushNumeric(state, token, DatumGetNumeric(n));
}

void PushBytea(JsonbParseState **state, JsonbIteratorToken token, Datum value)
{
	static const char digits[] = "0123456789abcdef";
	bytea *b = DatumGetByteaPP(value);
	int const len = VARSIZE_ANY_EXHDR(b);
	const unsigned char *data = reinterpret_cast<const unsigned char *>(VARDATA_ANY(b));
	char *text = static_cast<char *>(palloc(2 + 2 * static_cast<Size>(len)));
	text[0] = '\\';
	text[1] = 'x';
	for (int i = 0; i < len; i++) {
		text[2 + 2 * i] = digits[data[i] >> 4];
		text[3 + 2 * i] = digits[data[i] & 0xF];
	}
	PushString(state, token, text, 2 + 2 * len);
}

void PushInterval(JsonbParseState **state, JsonbIteratorToken token, Datum value)
{
	struct pg_itm itm;
	char buf[MAXDATELEN + 1];
	interval2itm(*DatumGetIntervalP(value), &itm);
	EncodeInterval(&itm, INTSTYLE_ISO_8601, buf);
	/* pushJsonbValue keeps the pointer until JsonbValueToJsonb: no stack buffers. */
	PushString(state, token, pstrdup(buf), static_cast<int>(strlen(buf)));
}

void PushScalar(JsonbParseState **state, JsonbIteratorToken token, const TypePlan &type,
				Datum value, bool isnull);

/* One JSON array per dimension, nested, as to_jsonb writes them. */
void PushDimension(JsonbParseState **state, const TypePlan &element, const Datum *elems,
				   const bool *nulls, const int *dims, int ndim, int dim, int *index)
{
	pushJsonbValue(state, WJB_BEGIN_ARRAY, nullptr);
	for (int i = 0; i < dims[dim]; i++) {
		if (dim + 1 < ndim) {
			PushDimension(state, element, elems, nulls, dims, ndim, dim + 1, index);
		} else {
			PushScalar(state, WJB_ELEM, element, elems[*index], nulls[*index]);
			(*index)++;
		}
	}
	pushJsonbValue(state, WJB_END_ARRAY, nullptr);
}

void PushArray(JsonbParseState **state, const TypePlan &element, Datum value)
{
	ArrayType *array = DatumGetArrayTypeP(value);
	int const ndim = ARR_NDIM(array);
	Datum *elems = nullptr;
	bool *nulls = nullptr;
	int n = 0;
	deconstruct_array(array, element.type, element.typlen, element.typbyval, element.typalign,
					  &elems, &nulls, &n);
	if (ndim == 0 || n == 0) {
		pushJsonbValue(state, WJB_BEGIN_ARRAY, nullptr);
		pushJsonbValue(state, WJB_END_ARRAY, nullptr);
		return;
	}
	int index = 0;
	PushDimension(state, element, elems, nulls, ARR_DIMS(array), ndim, 0, &index);
}

void PushScalar(JsonbParseState **state, JsonbIteratorToken token, const TypePlan &type,
				Datum value, bool isnull)
{
	if (isnull) {
		JsonbValue v;
		v.type = jbvNull;
		pushJsonbValue(state, token, &v);
		return;
	}
	switch (type.kind) {
	case ValueKind::Bool: {
		JsonbValue v;
		v.type = jbvBool;
		v.val.boolean = DatumGetBool(value);
		pushJsonbValue(state, token, &v);
		return;
	}
	case ValueKind::Int: {
		int64 const i = type.type == INT2OID   ? DatumGetInt16(value)
						: type.type == INT4OID ? DatumGetInt32(value)
											   : DatumGetInt64(value);
		PushNumeric(state, token, int64_to_numeric(i));
		return;
	}
	case ValueKind::Numeric: {
		Numeric n = DatumGetNumeric(value);
		if (numeric_is_nan(n) || numeric_is_inf(n)) {
			char *text = OutputText(type, value);
			PushString(state, token, text, static_cast<int>(strlen(text)));
		} else {
			PushNumeric(state, token, n);
		}
		return;
	}
	case ValueKind::Float4:
		PushDouble(state, token, DatumGetFloat4(value), true);
		return;
	case ValueKind::Float8:
		PushDouble(state, token, DatumGetFloat8(value), false);
		return;
	case ValueKind::Text: {
		if (type.type == NAMEOID) {
			const char *name = NameStr(*DatumGetName(value));
			PushString(state, token, name, static_cast<int>(strlen(name)));
			return;
		}
		text *t = DatumGetTextPP(value);
		PushString(state, token, VARDATA_ANY(t), static_cast<int>(VARSIZE_ANY_EXHDR(t)));
		return;
	}
	case ValueKind::Jsonb: {
		Jsonb *jb = DatumGetJsonbP(value);
		JsonbValue v;
		v.type = jbvBinary;
		v.val.binary.data = &jb->root;
		v.val.binary.len = static_cast<int>(VARSIZE(jb) - VARHDRSZ);
		pushJsonbValue(state, token, &v);
		return;
	}
	case ValueKind::Json: {
		char *json_text = TextDatumGetCString(value);
		Jsonb *jb = DatumGetJsonbP(DirectFunctionCall1(jsonb_in, CStringGetDatum(json_text)));
		JsonbValue v;
		v.type = jbvBinary;
		v.val.binary.data = &jb->root;
		v.val.binary.len = static_cast<int>(VARSIZE(jb) - VARHDRSZ);
		pushJsonbValue(state, token, &v);
		return;
	}
	case ValueKind::DateTime:
	case ValueKind::TimestampTz: {
		char buf[MAXDATELEN + 1];
		int const utc = 0;
		JsonEncodeDateTime(buf, value, type.type,
						   type.kind == ValueKind::TimestampTz ? &utc : nullptr);
		PushString(state, token, pstrdup(buf), static_cast<int>(strlen(buf)));
		return;
	}
	case ValueKind::Interval:
		PushInterval(state, token, value);
		return;
	case ValueKind::Bytea:
		PushBytea(state, token, value);
		return;
	case ValueKind::Array:
	case ValueKind::Other: {
		char *text = OutputText(type, value);
		PushString(state, token, text, static_cast<int>(strlen(text)));
		return;
	}
	}
}

} // namespace

RowPlan *PlanRow(TupleDesc desc, const char *const *excluded, int nexcluded, MemoryContext mcxt)
{
	auto *plan = static_cast<RowPlan *>(MemoryContextAllocZero(mcxt, sizeof(RowPlan)));
	plan->columns =
		static_cast<ColumnPlan *>(MemoryContextAllocZero(mcxt, sizeof(ColumnPlan) * desc->natts));
	for (int i = 0; i < desc->natts; i++) {
		Form_pg_attribute att = TupleDescAttr(desc, i);
		if (att->attisdropped)
			continue;
		ColumnPlan &c = plan->columns[plan->ncolumns++];
		c.attnum = att->attnum;
		c.name = MemoryContextStrdup(mcxt, NameStr(att->attname));
		c.name_len = static_cast<int>(strlen(c.name));
		for (int e = 0; e < nexcluded; e++)
			if (strcmp(excluded[e], c.name) == 0)
				c.excluded = true;
		PlanType(att->atttypid, &c.type);
		Oid const element = c.type.element_type;
		if (OidIsValid(element) && c.type.typlen == -1) {
			PlanType(element, &c.element);
			if (c.element.kind != ValueKind::Other)
				c.type.kind = ValueKind::Array;
		}
	}
	return plan;
}

Jsonb *RowImage(const RowPlan *plan, HeapTuple tuple, TupleDesc desc)
{
	JsonbParseState *state = nullptr;
	pushJsonbValue(&state, WJB_BEGIN_OBJECT, nullptr);
	for (int i = 0; i < plan->ncolumns; i++) {
		const ColumnPlan &c = plan->columns[i];
		if (c.excluded)
			continue;
		bool isnull = false;
		Datum const value = heap_getattr(tuple, c.attnum, desc, &isnull);
		PushString(&state, WJB_KEY, c.name, c.name_len);
		if (c.type.kind == ValueKind::Array && !isnull)
			PushArray(&state, c.element, value);
		else
			PushScalar(&state, WJB_VALUE, c.type, value, isnull);
	}
	JsonbValue *result = pushJsonbValue(&state, WJB_END_OBJECT, nullptr);
	return JsonbValueToJsonb(result);
}

Datum ChangedColumns(const RowPlan *plan, HeapTuple old_tuple, HeapTuple new_tuple,
					 TupleDesc desc, const char **names, int *count)
{
	Datum *texts = static_cast<Datum *>(palloc(sizeof(Datum) * (plan->ncolumns + 1)));
	int n = 0;
	for (int i = 0; i < plan->ncolumns; i++) {
		const ColumnPlan &c = plan->columns[i];
		if (c.excluded)
			continue;
		bool old_null = false;
		bool new_null = false;
		Datum const old_value = heap_getattr(old_tuple, c.attnum, desc, &old_null);
		Datum const new_value = heap_getattr(new_tuple, c.attnum, desc, &new_null);
		bool const same = old_null == new_null &&
						  (old_null || datum_image_eq(old_value, new_value, c.type.typbyval,
													  c.type.typlen));
		if (!same) {
			names[n] = c.name;
			texts[n++] = CStringGetTextDatum(c.name);
		}
	}
	*count = n;
	return PointerGetDatum(construct_array(texts, n, TEXTOID, -1, false, TYPALIGN_INT));
}

} // namespace tg::audit
