package roundtrip

import (
	"reflect"
	"strings"
	"testing"

	"github.com/mattermost/mattermost/server/public/plugin"

	"triggeralerts/conformance/roundtrip/rt"
)

// TestSamples lists what the samples leave out (what gob cannot carry) and checks that every argument and
// result sample is set, so that a round trip that drops a value always shows.
func TestSamples(t *testing.T) {
	g := rt.NewGen()
	for _, it := range []reflect.Type{reflect.TypeFor[plugin.API](), reflect.TypeFor[plugin.Hooks]()} {
		for _, m := range rt.SortedMethods(it) {
			if rt.ManualAPI[m.Name] != "" || rt.ManualHooks[m.Name] != "" {
				continue
			}
			for i, a := range g.Args(m.Name, m.Type) {
				if rt.IsZeroDeep(a) && m.Name != "LoadPluginConfiguration" { // its argument is the destination
					t.Errorf("%s: the sample of argument %d (%s) is empty", m.Name, i, m.Type.In(i))
				}
			}
			for i, r := range g.Returns(m.Name, m.Type, rt.OK) {
				if !rt.IsAppError(m.Type.Out(i)) && !rt.IsError(m.Type.Out(i)) && rt.IsZeroDeep(r) {
					t.Errorf("%s: the sample of result %d (%s) is empty", m.Name, i, m.Type.Out(i))
				}
			}
		}
	}
	t.Logf("left at zero in the samples (%d):\n  %s", len(g.Skipped), strings.Join(g.SortedSkipped(), "\n  "))
}
