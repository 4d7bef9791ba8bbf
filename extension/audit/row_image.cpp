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

void StringValue(JsonbValue *v, const char *text, int len)
{
	v->type = jbvString;
	v->val.string.val = const_cast<char *>(text);
	v->val.string.len = len;
}

void NumericValue(JsonbValue *v, Numeric n)
{
	v->type = jbvNumeric;
	v->val.numeric = n;
}

/* A finite double as its shortest exact decimal; NaN and infinities as JSON strings. */
void DoubleValue(JsonbValue *v, double d, bool single)
{
	if (std::isnan(d)) {
		StringValue(v, "NaN", 3);
		return;
	}
	if (std::isinf(d)) {
		const char *text = d > 0 ? "Infinity" : "-Infinity";
		StringValue(v, text, static_cast<int>(strlen(text)));
		return;
	}
	char buf[32];
	if (single)
		float_to_shortest_decimal_buf(static_cast<float>(d), buf);
	else
		double_to_shortest_decimal_buf(d, buf);
	Datum const n = DirectFunctionCall3(numeric_in, CStringGetDatum(buf),
										ObjectIdGetDatum(InvalidOid), Int32GetDatum(-1));
	NumericValue(v, DatumGetNumeric(n));
}

void ByteaValue(JsonbValue *v, Datum value)
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
	StringValue(v, text, 2 + 2 * len);
}

void IntervalValue(JsonbValue *v, Datum value)
{
	struct pg_itm itm;
	char buf[MAXDATELEN + 1];
	interval2itm(*DatumGetIntervalP(value), &itm);
	EncodeInterval(&itm, INTSTYLE_ISO_8601, buf);
	/* The value is read after this frame returns: no stack buffers. */
	StringValue(v, pstrdup(buf), static_cast<int>(strlen(buf)));
}

/* Every kind but Jsonb and Json (containers) and Array (PushArray) as one JSON scalar. */
void ScalarValue(const TypePlan &type, Datum value, bool isnull, JsonbValue *v)
{
	if (isnull) {
		v->type = jbvNull;
		return;
	}
	switch (type.kind) {
	case ValueKind::Bool:
		v->type = jbvBool;
		v->val.boolean = DatumGetBool(value);
		return;
	case ValueKind::Int: {
		int64 const i = type.type == INT2OID   ? DatumGetInt16(value)
						: type.type == INT4OID ? DatumGetInt32(value)
											   : DatumGetInt64(value);
		NumericValue(v, int64_to_numeric(i));
		return;
	}
	case ValueKind::Numeric: {
		Numeric n = DatumGetNumeric(value);
		if (numeric_is_nan(n) || numeric_is_inf(n)) {
			char *text = OutputText(type, value);
			StringValue(v, text, static_cast<int>(strlen(text)));
		} else {
			NumericValue(v, n);
		}
		return;
	}
	case ValueKind::Float4:
		DoubleValue(v, DatumGetFloat4(value), true);
		return;
	case ValueKind::Float8:
		DoubleValue(v, DatumGetFloat8(value), false);
		return;
	case ValueKind::Text: {
		if (type.type == NAMEOID) {
			const char *name = NameStr(*DatumGetName(value));
			StringValue(v, name, static_cast<int>(strlen(name)));
			return;
		}
		text *t = DatumGetTextPP(value);
		StringValue(v, VARDATA_ANY(t), static_cast<int>(VARSIZE_ANY_EXHDR(t)));
		return;
	}
	case ValueKind::DateTime:
	case ValueKind::TimestampTz: {
		char buf[MAXDATELEN + 1];
		int const utc = 0;
		JsonEncodeDateTime(buf, value, type.type,
						   type.kind == ValueKind::TimestampTz ? &utc : nullptr);
		StringValue(v, pstrdup(buf), static_cast<int>(strlen(buf)));
		return;
	}
	case ValueKind::Interval:
		IntervalValue(v, value);
		return;
	case ValueKind::Bytea:
		ByteaValue(v, value);
		return;
	case ValueKind::Jsonb:
	case ValueKind::Json:
	case ValueKind::Array:
	case ValueKind::Other: {
		char *text = OutputText(type, value);
		StringValue(v, text, static_cast<int>(strlen(text)));
		return;
	}
	}
}

/* appendBinaryStringInfo, inline: image texts are mostly appends of one to a few bytes. */
inline void Append(StringInfo out, const char *bytes, int n)
{
	if (out->len + n >= out->maxlen)
		enlargeStringInfo(out, n);
	memcpy(out->data + out->len, bytes, n);
	out->len += n;
	out->data[out->len] = '\0';
}

/*
 * Whether any of the 8 bytes is below ' ' (a NUL too), '"' or '\\': the
 * exact "has a byte less than / equal to" word tests, so a word without one
 * is never flagged wrongly as plain; UTF-8 bytes (0x80 and up) are plain.
 */
inline bool WordNeedsEscape(uint64 w)
{
	constexpr uint64 kOnes = 0x0101010101010101ULL;
	constexpr uint64 kHighs = 0x8080808080808080ULL;
	uint64 const quote = w ^ (kOnes * '"');
	uint64 const backslash = w ^ (kOnes * '\\');
	uint64 const below_space = (w - kOnes * ' ') & ~w;
	uint64 const is_quote = (quote - kOnes) & ~quote;
	uint64 const is_backslash = (backslash - kOnes) & ~backslash;
	return ((below_space | is_quote | is_backslash) & kHighs) != 0;
}

/*
 * escape_json() for a string with a length: what JsonbToCString prints for a
 * jsonb string (it copies the value up to its length or a NUL, then escapes).
 * Plain runs are found a word at a time and copied at once.
 */
void AppendEscaped(StringInfo out, const char *s, int len)
{
	Append(out, "\"", 1);
	int run = 0; /* start of the bytes not yet appended */
	int i = 0;
	while (i < len) {
		if (i + 8 <= len) {
			uint64 word;
			memcpy(&word, s + i, sizeof(word));
			if (!WordNeedsEscape(word)) {
				i += 8;
				continue;
			}
		}
		unsigned char const c = static_cast<unsigned char>(s[i]);
		if (c == '\0')
			break;
		if (c >= ' ' && c != '"' && c != '\\') {
			i++;
			continue;
		}
		Append(out, s + run, i - run);
		run = ++i;
		switch (c) {
		case '\b':
			Append(out, "\\b", 2);
			break;
		case '\f':
			Append(out, "\\f", 2);
			break;
		case '\n':
			Append(out, "\\n", 2);
			break;
		case '\r':
			Append(out, "\\r", 2);
			break;
		case '\t':
			Append(out, "\\t", 2);
			break;
		case '"':
			Append(out, "\\\"", 2);
			break;
		case '\\':
			Append(out, "\\\\", 2);
			break;
		default:
			appendStringInfo(out, "\\u%04x", static_cast<int>(c));
			break;
		}
	}
	Append(out, s + run, i - run);
	Append(out, "\"", 1);
}

/* A scalar as JsonbToCString prints it (jsonb_put_escaped_value). */
void AppendScalarText(StringInfo out, const JsonbValue &v)
{
	switch (v.type) {
	case jbvNull:
		Append(out, "null", 4);
		return;
	case jbvBool:
		if (v.val.boolean)
			Append(out, "true", 4);
		else
			Append(out, "false", 5);
		return;
	case jbvNumeric:
		appendStringInfoString(
			out, DatumGetCString(DirectFunctionCall1(numeric_out, NumericGetDatum(v.val.numeric))));
		return;
	case jbvString:
		AppendEscaped(out, v.val.string.val, v.val.string.len);
		return;
	default:
		elog(ERROR, "unexpected jsonb value type %d in a row image", static_cast<int>(v.type));
	}
}

void PushString(JsonbParseState **state, JsonbIteratorToken token, const char *text, int len)
{
	JsonbValue v;
	StringValue(&v, text, len);
	pushJsonbValue(state, token, &v);
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
	if (!isnull && (type.kind == ValueKind::Jsonb || type.kind == ValueKind::Json)) {
		Jsonb *jb = type.kind == ValueKind::Jsonb
						? DatumGetJsonbP(value)
						: DatumGetJsonbP(DirectFunctionCall1(
							  jsonb_in, CStringGetDatum(TextDatumGetCString(value))));
		JsonbValue v;
		v.type = jbvBinary;
		v.val.binary.data = &jb->root;
		v.val.binary.len = static_cast<int>(VARSIZE(jb) - VARHDRSZ);
		pushJsonbValue(state, token, &v);
		return;
	}
	JsonbValue v;
	ScalarValue(type, value, isnull, &v);
	pushJsonbValue(state, token, &v);
}

/* jsonb's key order: shorter first, then bytewise (lengthCompareJsonbStringValue). */
bool KeyBefore(const ColumnPlan &a, const ColumnPlan &b)
{
	if (a.name_len != b.name_len)
		return a.name_len < b.name_len;
	return memcmp(a.name, b.name, a.name_len) < 0;
}

void PlanImage(RowPlan *plan, MemoryContext mcxt)
{
	plan->flat = true;
	plan->image_order = static_cast<int *>(MemoryContextAllocZero(mcxt, sizeof(int) * (plan->ncolumns + 1)));
	plan->key_texts = static_cast<const char **>(
		MemoryContextAllocZero(mcxt, sizeof(char *) * (plan->ncolumns + 1)));
	plan->key_text_lens = static_cast<int *>(MemoryContextAllocZero(mcxt, sizeof(int) * (plan->ncolumns + 1)));
	for (int i = 0; i < plan->ncolumns; i++) {
		const ColumnPlan &c = plan->columns[i];
		if (c.excluded)
			continue;
		if (c.type.kind == ValueKind::Jsonb || c.type.kind == ValueKind::Json ||
			c.type.kind == ValueKind::Array)
			plan->flat = false;
		/* Insertion sort: tables have tens of columns, and this runs once per plan. */
		int j = plan->nimage++;
		while (j > 0 && KeyBefore(c, plan->columns[plan->image_order[j - 1]])) {
			plan->image_order[j] = plan->image_order[j - 1];
			j--;
		}
		plan->image_order[j] = i;
	}
	for (int j = 0; j < plan->nimage; j++) {
		StringInfoData key;
		MemoryContext const old = MemoryContextSwitchTo(mcxt);
		initStringInfo(&key);
		escape_json(&key, plan->columns[plan->image_order[j]].name);
		appendBinaryStringInfo(&key, ": ", 2);
		MemoryContextSwitchTo(old);
		plan->key_texts[j] = key.data;
		plan->key_text_lens[j] = key.len;
	}
}

/* A row of scalars: the jsonb object built as a value, keys in order, and its text on the way. */
Jsonb *FlatImage(const RowPlan *plan, HeapTuple tuple, TupleDesc desc, StringInfo text)
{
	Datum *values = static_cast<Datum *>(palloc(sizeof(Datum) * desc->natts));
	bool *nulls = static_cast<bool *>(palloc(sizeof(bool) * desc->natts));
	heap_deform_tuple(tuple, desc, values, nulls);
	JsonbValue object;
	object.type = jbvObject;
	object.val.object.nPairs = plan->nimage;
	object.val.object.pairs = static_cast<JsonbPair *>(palloc(sizeof(JsonbPair) * (plan->nimage + 1)));
	appendStringInfoCharMacro(text, '{');
	for (int j = 0; j < plan->nimage; j++) {
		const ColumnPlan &c = plan->columns[plan->image_order[j]];
		JsonbPair &pair = object.val.object.pairs[j];
		StringValue(&pair.key, c.name, c.name_len);
		pair.order = static_cast<uint32>(j);
		ScalarValue(c.type, values[c.attnum - 1], nulls[c.attnum - 1], &pair.value);
		if (j > 0)
			appendBinaryStringInfo(text, ", ", 2);
		appendBinaryStringInfo(text, plan->key_texts[j], plan->key_text_lens[j]);
		AppendScalarText(text, pair.value);
	}
	appendStringInfoCharMacro(text, '}');
	return JsonbValueToJsonb(&object);
}

} // namespace

/* JsonbToCStringWorker without indentation: ", " between items, ": " after keys. */
void AppendJsonbText(StringInfo out, Jsonb *jb)
{
	enlargeStringInfo(out, static_cast<int>(VARSIZE(jb)));
	JsonbIterator *it = JsonbIteratorInit(&jb->root);
	JsonbValue v;
	JsonbIteratorToken token;
	bool first = true; /* no ", " before the next item */
	bool raw_scalar = false;
	while ((token = JsonbIteratorNext(&it, &v, false)) != WJB_DONE) {
		switch (token) {
		case WJB_BEGIN_ARRAY:
			if (!first)
				Append(out, ", ", 2);
			if (v.val.array.rawScalar)
				raw_scalar = true;
			else
				Append(out, "[", 1);
			first = true;
			break;
		case WJB_BEGIN_OBJECT:
			if (!first)
				Append(out, ", ", 2);
			Append(out, "{", 1);
			first = true;
			break;
		case WJB_KEY:
			if (!first)
				Append(out, ", ", 2);
			AppendScalarText(out, v);
			Append(out, ": ", 2);
			first = true; /* the value follows the key directly */
			break;
		case WJB_VALUE:
		case WJB_ELEM:
			if (!first)
				Append(out, ", ", 2);
			AppendScalarText(out, v);
			first = false;
			break;
		case WJB_END_ARRAY:
			if (!raw_scalar)
				Append(out, "]", 1);
			first = false;
			break;
		case WJB_END_OBJECT:
			Append(out, "}", 1);
			first = false;
			break;
		default:
			elog(ERROR, "unexpected jsonb iterator token %d", static_cast<int>(token));
		}
	}
}

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
	PlanImage(plan, mcxt);
	return plan;
}

Jsonb *RowImage(const RowPlan *plan, HeapTuple tuple, TupleDesc desc, StringInfo text)
{
	if (plan->flat)
		return FlatImage(plan, tuple, desc, text);
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
	Jsonb *image = JsonbValueToJsonb(result);
	AppendJsonbText(text, image);
	return image;
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
