package gobfuzz

import (
	"bytes"
	"encoding/gob"
	"errors"
	"fmt"
	"io"
	"reflect"
	"unicode/utf8"
)

// Encode writes the value ptr points to as a complete stream on a fresh encoder.
func Encode(ptr any) ([]byte, error) {
	var buf bytes.Buffer
	if err := gob.NewEncoder(&buf).Encode(ptr); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// Decode reads exactly one value of the kind from a fresh decoder and returns a pointer to it.
// Anything after the value is an error, so a stream means one thing.
func Decode(k Kind, data []byte) (any, error) {
	dec := gob.NewDecoder(bytes.NewReader(data))
	target := k.New()
	if err := dec.Decode(target); err != nil {
		return nil, err
	}
	if err := dec.Decode(new(any)); !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("trailing data after the value: %v", err)
	}
	return target, nil
}

// ValidUTF8 reports whether every string in v (map keys included) is valid UTF-8. JavaScript strings
// cannot carry invalid UTF-8, so the TypeScript side can only be compared on values where this holds.
func ValidUTF8(v any) bool {
	return validUTF8(reflect.ValueOf(v))
}

func validUTF8(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.String:
		return utf8.ValidString(v.String())
	case reflect.Slice, reflect.Array:
		if v.Type().Elem().Kind() == reflect.Uint8 {
			return true
		}
		for i := 0; i < v.Len(); i++ {
			if !validUTF8(v.Index(i)) {
				return false
			}
		}
	case reflect.Map:
		iter := v.MapRange()
		for iter.Next() {
			if !validUTF8(iter.Key()) || !validUTF8(iter.Value()) {
				return false
			}
		}
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			return validUTF8(v.Elem())
		}
	case reflect.Struct:
		for i := 0; i < v.NumField(); i++ {
			if !validUTF8(v.Field(i)) {
				return false
			}
		}
	}
	return true
}
