package rt

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"reflect"
	"strconv"
	"strings"
)

// TableJSON is a value as JSON in the shape of the package's model table, which is Go's encoding/json
// shape taken field by field: JSON names from the struct tags, embedded structs flattened, []byte as
// base64, json.RawMessage embedded. It differs from encoding/json in two ways, both on purpose: a type's
// own MarshalJSON is not used for structs with exported fields (the TypeScript side converts by the
// table too, so this is the shape it is held to), and with hidden set the fields Go's JSON leaves out
// (`json:"-"`) are given under their Go names, which is how the package takes them.
//
// The result is a tree of map[string]any, []any, string, json.Number, bool and nil.
func TableJSON(v reflect.Value, hidden bool) any {
	return tableJSON(v, jsonOpts{hidden: hidden}, 0)
}

// ShapedJSON is TableJSON in the shape of another version's model table: a struct the table has gets
// the table's JSON names, and its fields the table lacks are left out. It is what the package, whose
// table is the newest line's, makes of a value of an older line's model. A nil shape is TableJSON.
func ShapedJSON(v reflect.Value, shape ModelTable, hidden bool) any {
	return tableJSON(v, jsonOpts{hidden: hidden, shape: shape}, 0)
}

type jsonOpts struct {
	hidden bool
	shape  ModelTable
}

const maxJSONDepth = 64

func tableJSON(v reflect.Value, o jsonOpts, depth int) any {
	if !v.IsValid() || depth > maxJSONDepth {
		return nil
	}
	t := v.Type()
	switch t.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return nil
		}
		return tableJSON(v.Elem(), o, depth+1)
	case reflect.Bool:
		return v.Bool()
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return json.Number(strconv.FormatInt(v.Int(), 10))
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return json.Number(strconv.FormatUint(v.Uint(), 10))
	case reflect.Float32:
		return json.Number(strconv.FormatFloat(v.Float(), 'g', -1, 32))
	case reflect.Float64:
		return json.Number(strconv.FormatFloat(v.Float(), 'g', -1, 64))
	case reflect.String:
		return v.String()
	case reflect.Slice, reflect.Array:
		if t.Elem().Kind() == reflect.Uint8 {
			b := make([]byte, v.Len())
			reflect.Copy(reflect.ValueOf(b), v)
			if t == rawJSONType || t.Name() == "RawMessage" {
				var tree any
				if json.Unmarshal(b, &tree) == nil {
					return tree
				}
			}
			if t.Kind() == reflect.Slice && v.IsNil() {
				return nil
			}
			return base64.StdEncoding.EncodeToString(b)
		}
		if t.Kind() == reflect.Slice && v.IsNil() {
			return nil
		}
		out := make([]any, v.Len())
		for i := range out {
			out[i] = tableJSON(v.Index(i), o, depth+1)
		}
		return out
	case reflect.Map:
		if v.IsNil() {
			return nil
		}
		out := map[string]any{}
		it := v.MapRange()
		for it.Next() {
			out[mapKey(it.Key())] = tableJSON(it.Value(), o, depth+1)
		}
		return out
	case reflect.Struct:
		if opaque(t) {
			b, err := json.Marshal(v.Interface())
			if err != nil {
				return "unmarshalable: " + err.Error()
			}
			var tree any
			_ = json.Unmarshal(b, &tree)
			return tree
		}
		out := map[string]any{}
		structJSON(v, o, depth, out)
		return out
	}
	return nil // func, chan: not part of any shape
}

// opaque: structs without exported fields (time.Time) are their marshaler's output.
func opaque(t reflect.Type) bool {
	for i := 0; i < t.NumField(); i++ {
		if t.Field(i).IsExported() {
			return false
		}
	}
	return t.NumField() > 0
}

// JSONName returns a field's JSON name, whether Go's JSON leaves it out, and whether it is embedded and
// flattened.
func JSONName(f reflect.StructField) (name string, omitted, flatten bool) {
	tag := f.Tag.Get("json")
	if tag == "-" {
		return f.Name, true, false
	}
	name, _, _ = strings.Cut(tag, ",")
	ft := f.Type
	if ft.Kind() == reflect.Pointer {
		ft = ft.Elem()
	}
	if f.Anonymous && name == "" && ft.Kind() == reflect.Struct {
		return "", false, true
	}
	if name == "" {
		name = f.Name
	}
	return name, false, false
}

func structJSON(v reflect.Value, o jsonOpts, depth int, out map[string]any) {
	t := v.Type()
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if !f.IsExported() || f.Type.Kind() == reflect.Func || f.Type.Kind() == reflect.Chan {
			continue
		}
		name, omitted, flatten := JSONName(f)
		if rows, ok := o.shape[t.Name()]; ok {
			row, found := rows.field(f.Name)
			if !found {
				continue // a field the other version's model does not have
			}
			name, omitted, flatten = row.JSON, row.JSON == "-", row.Embedded
			if omitted {
				name = f.Name
			}
		}
		fv := v.Field(i)
		switch {
		case flatten:
			if fv.Kind() == reflect.Pointer {
				if fv.IsNil() {
					continue
				}
				fv = fv.Elem()
			}
			structJSON(fv, o, depth+1, out)
		case omitted && !o.hidden:
		default:
			out[name] = tableJSON(fv, o, depth+1)
		}
	}
}

func mapKey(k reflect.Value) string {
	if k.Kind() == reflect.String {
		return k.String()
	}
	if tm, ok := k.Interface().(interface{ MarshalText() ([]byte, error) }); ok {
		if b, err := tm.MarshalText(); err == nil {
			return string(b)
		}
	}
	return fmt.Sprint(k.Interface())
}

// Marker types for the arguments JSON can't say: a []byte parameter and an io.Reader parameter, both
// base64. Nested []byte fields stay base64 strings, as in Go's JSON.
type (
	BytesArg struct {
		Bytes string `json:"$bytes"`
	}
	ReaderArg struct {
		Reader string `json:"$reader"`
	}
)

// ArgsJSON encodes sample arguments for the TypeScript plugin: one JSON value per Go parameter (a
// variadic one as a list), []byte and io.Reader parameters as markers.
func ArgsJSON(name string, ft reflect.Type, args []reflect.Value, shape ModelTable) []any {
	out := make([]any, len(args))
	for i, a := range args {
		pt := ft.In(i)
		switch {
		case IsReader(pt):
			out[i] = ReaderArg{base64.StdEncoding.EncodeToString(ReaderBytes(name, i))}
		case pt.Kind() == reflect.Slice && pt.Elem().Kind() == reflect.Uint8 && pt != rawJSONType:
			out[i] = BytesArg{base64.StdEncoding.EncodeToString(a.Bytes())}
		default:
			out[i] = ShapedJSON(a, shape, true)
		}
	}
	return out
}

// FieldRow is one field of the package's model table (generated/models.ts): Go name, JSON name ("-"
// when Go's JSON leaves it out), embedded.
type FieldRow struct {
	Go       string `json:"go"`
	JSON     string `json:"json"`
	Embedded bool   `json:"embedded,omitempty"`
}

// ModelRows are a model's fields.
type ModelRows []FieldRow

func (m ModelRows) field(goName string) (FieldRow, bool) {
	for _, r := range m {
		if r.Go == goName {
			return r, true
		}
	}
	return FieldRow{}, false
}

// ModelTable is the package's model table, by model name.
type ModelTable map[string]ModelRows

// KindOf is a parameter type's coarse shape, as the TypeScript plugin reports its table's parameters
// (kindOf in tsplugin/wire_json.ts): pointers are their element, every struct is "struct", lists "slice".
func KindOf(t reflect.Type) string {
	switch t.Kind() {
	case reflect.Pointer:
		return KindOf(t.Elem())
	case reflect.Struct:
		return "struct"
	case reflect.Slice, reflect.Array:
		if t.Elem().Kind() == reflect.Uint8 {
			return "bytes"
		}
		return "slice"
	case reflect.Map:
		return "map"
	case reflect.Interface:
		if IsReader(t) {
			return "reader"
		}
		return "interface"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return "int"
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return "uint"
	case reflect.Float32, reflect.Float64:
		return "float"
	}
	return t.Kind().String()
}

// ParamKinds are the kinds of a signature's parameters, a variadic one as "variadic".
func ParamKinds(ft reflect.Type) []string {
	out := make([]string, ft.NumIn())
	for i := range out {
		if ft.IsVariadic() && i == ft.NumIn()-1 {
			out[i] = "variadic"
			continue
		}
		out[i] = KindOf(ft.In(i))
	}
	return out
}
