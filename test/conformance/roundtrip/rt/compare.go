package rt

import (
	"bytes"
	"encoding"
	"encoding/json"
	"fmt"
	"reflect"
	"sort"
)

// ValueDiff compares two values that crossed gob (what the fake API received, what the host got back
// from a hook) and returns one line per difference, "path: want X, got Y". Gob's own normalisation is
// not a difference: a missing struct field, a nil and an empty slice or map, a nil pointer and a pointer
// to a zero value all decode alike, so zero values (deep) are equal whatever their form. Interface
// values must have the same dynamic type (an int64 where Go sent a float64 is a difference). Structs
// compare by their exported fields, gob-encoded opaque structs (time.Time) by their encoding.
func ValueDiff(path string, want, got reflect.Value) []string {
	return ValueDiffIn(nil, path, want, got)
}

// ValueDiffIn is ValueDiff leaving out the fields of structs that the model table shape has and whose
// rows lack the field (a field of this line's model that the package's newer model does not have).
func ValueDiffIn(shape ModelTable, path string, want, got reflect.Value) []string {
	var out []string
	d := differ{shape: shape}
	d.valueDiff(path, want, got, &out, 0)
	return out
}

type differ struct{ shape ModelTable }

func (d differ) valueDiff(path string, w, g reflect.Value, out *[]string, depth int) {
	if len(*out) > 50 || depth > 100 {
		return
	}
	wz, gz := IsZeroDeep(w), IsZeroDeep(g)
	if wz && gz {
		return
	}
	if wz != gz {
		*out = append(*out, fmt.Sprintf("%s: want %s, got %s", path, show(w), show(g)))
		return
	}
	// Both non-zero, so valid; pointers and interfaces are non-nil.
	if w.Kind() == reflect.Interface || g.Kind() == reflect.Interface {
		if w.Kind() == reflect.Interface {
			w = w.Elem()
		}
		if g.Kind() == reflect.Interface {
			g = g.Elem()
		}
		if w.Type() != g.Type() {
			*out = append(*out, fmt.Sprintf("%s: want type %s (%s), got type %s (%s)", path, w.Type(), show(w), g.Type(), show(g)))
			return
		}
	}
	if w.Type() != g.Type() {
		*out = append(*out, fmt.Sprintf("%s: want type %s, got type %s", path, w.Type(), g.Type()))
		return
	}
	switch w.Kind() {
	case reflect.Pointer:
		d.valueDiff(path, w.Elem(), g.Elem(), out, depth+1)
	case reflect.Struct:
		if opaque(w.Type()) {
			wb, gb := encoded(w), encoded(g)
			if !bytes.Equal(wb, gb) {
				*out = append(*out, fmt.Sprintf("%s: want %s, got %s", path, show(w), show(g)))
			}
			return
		}
		t := w.Type()
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			if !f.IsExported() || f.Type.Kind() == reflect.Func || f.Type.Kind() == reflect.Chan {
				continue
			}
			if rows, ok := d.shape[t.Name()]; ok {
				if _, found := rows.field(f.Name); !found {
					continue
				}
			}
			d.valueDiff(path+"."+f.Name, w.Field(i), g.Field(i), out, depth+1)
		}
	case reflect.Slice, reflect.Array:
		if w.Type().Elem().Kind() == reflect.Uint8 {
			if !bytes.Equal(byteSlice(w), byteSlice(g)) {
				*out = append(*out, fmt.Sprintf("%s: want bytes %x, got %x", path, byteSlice(w), byteSlice(g)))
			}
			return
		}
		if w.Len() != g.Len() {
			*out = append(*out, fmt.Sprintf("%s: want %d elements, got %d", path, w.Len(), g.Len()))
			return
		}
		for i := 0; i < w.Len(); i++ {
			d.valueDiff(fmt.Sprintf("%s[%d]", path, i), w.Index(i), g.Index(i), out, depth+1)
		}
	case reflect.Map:
		keys := map[string]reflect.Value{}
		for _, k := range w.MapKeys() {
			keys[fmt.Sprint(k.Interface())] = k
		}
		for _, k := range g.MapKeys() {
			keys[fmt.Sprint(k.Interface())] = k
		}
		names := make([]string, 0, len(keys))
		for n := range keys {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, n := range names {
			k := keys[n]
			d.valueDiff(fmt.Sprintf("%s[%q]", path, n), w.MapIndex(k), g.MapIndex(k), out, depth+1)
		}
	default:
		if !w.Equal(g) {
			*out = append(*out, fmt.Sprintf("%s: want %s, got %s", path, show(w), show(g)))
		}
	}
}

func byteSlice(v reflect.Value) []byte {
	b := make([]byte, v.Len())
	reflect.Copy(reflect.ValueOf(b), v)
	return b
}

func encoded(v reflect.Value) []byte {
	p := reflect.New(v.Type())
	p.Elem().Set(v)
	if m, ok := p.Interface().(encoding.BinaryMarshaler); ok {
		if b, err := m.MarshalBinary(); err == nil {
			return b
		}
	}
	return []byte(fmt.Sprintf("%#v", v.Interface()))
}

// IsZeroDeep reports whether v decodes from gob as nothing: invalid, nil, an empty slice or map, a zero
// scalar, a struct whose gob-visible fields are all zero, or a pointer or interface to such a value.
func IsZeroDeep(v reflect.Value) bool {
	if !v.IsValid() {
		return true
	}
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		return v.IsNil() || IsZeroDeep(v.Elem())
	case reflect.Slice, reflect.Map:
		return v.Len() == 0
	case reflect.Array:
		for i := 0; i < v.Len(); i++ {
			if !IsZeroDeep(v.Index(i)) {
				return false
			}
		}
		return true
	case reflect.Struct:
		if opaque(v.Type()) {
			return v.IsZero()
		}
		t := v.Type()
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			if !f.IsExported() || f.Type.Kind() == reflect.Func || f.Type.Kind() == reflect.Chan {
				continue
			}
			if !IsZeroDeep(v.Field(i)) {
				return false
			}
		}
		return true
	case reflect.Func, reflect.Chan, reflect.UnsafePointer:
		return true
	}
	return v.IsZero()
}

func show(v reflect.Value) string {
	if !v.IsValid() {
		return "nothing"
	}
	if (v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface) && v.IsNil() {
		return "nil"
	}
	b, _ := json.Marshal(TableJSON(v, true))
	s := string(b)
	if len(s) > 120 {
		s = s[:117] + "..."
	}
	return s
}
