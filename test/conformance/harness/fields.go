package harness

import (
	"fmt"
	"reflect"
)

// SetFields sets the named fields of the struct ptr points to. It exists for fixture fields that
// only newer server/public versions have: on the newest version (the default build) a missing
// field panics, so a rename cannot silently thin a fixture; on older versions (build tags
// mmpublic_pre*) fields the models do not have yet are skipped, as the host could not send them.
func SetFields(ptr any, fields map[string]any) {
	v := reflect.ValueOf(ptr)
	if v.Kind() != reflect.Pointer || v.Elem().Kind() != reflect.Struct {
		panic(fmt.Sprintf("SetFields: %T is not a pointer to a struct", ptr))
	}
	s := v.Elem()
	for name, value := range fields {
		f := s.FieldByName(name)
		if !f.IsValid() {
			if strictFields {
				panic(fmt.Sprintf("SetFields: %s has no field %s", s.Type(), name))
			}
			continue
		}
		val := reflect.ValueOf(value)
		if !val.Type().AssignableTo(f.Type()) {
			panic(fmt.Sprintf("SetFields: %s.%s is %s, not %s", s.Type(), name, f.Type(), val.Type()))
		}
		f.Set(val)
	}
}
