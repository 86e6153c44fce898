package roundtrip

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/mattermost/mattermost/server/public/plugin"

	"triggeralerts/conformance/harness"
	"triggeralerts/conformance/roundtrip/rt"
)

// TSPluginEnv names the TypeScript round-trip plugin's directory (built by
// scripts/build-roundtrip-plugin.mjs; scripts/conformance.mjs builds it and sets this). Unset, the
// TypeScript side is skipped: a stale build lying around is never picked up by accident.
const TSPluginEnv = "CONFORMANCE_ROUNDTRIP_PLUGIN_DIR"

// requireComplete makes the newest line fail while a method or hook is not covered by the TypeScript
// plugin (older lines lack methods the package has; those are checked by TestNotSupported instead).
const requireComplete = true

// serverVersion is what the recorder's GetServerVersion answers outside a case; the TypeScript
// runtime's NotSupportedError must name it.
const serverVersion = "9.99.1"

var (
	refDir string // the built Go reference plugin
	tsDir  string // the TypeScript plugin, or "" when not built
)

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	if err := harness.InitGlobalLogger(os.Getenv("CONFORMANCE_VERBOSE") != ""); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	dir, err := os.MkdirTemp("", "roundtrip-refplugin-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	defer os.RemoveAll(dir)
	if err := BuildRefPlugin(dir); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	refDir = dir
	if env := os.Getenv(TSPluginEnv); env != "" {
		abs, err := filepath.Abs(env)
		if err == nil {
			_, err = harness.CheckPluginDir(abs)
		}
		if err != nil {
			fmt.Fprintf(os.Stderr, "$%s: %v\n", TSPluginEnv, err)
			return 2
		}
		tsDir = abs
	}
	return m.Run()
}

// side is one plugin under the host code with its recorder.
type side struct {
	name string
	ts   bool
	host *Host
	rec  *Recorder
	// The TypeScript plugin's tables: its API rows by Go name, and on an older line the package's model
	// table (the newest line's), the shape it makes of this line's models.
	rows  map[string]rt.MethodRow
	known rt.Methods
	shape rt.ModelTable
}

func startSide(t *testing.T, name, dir string, ts bool) *side {
	t.Helper()
	rec := NewRecorder(serverVersion)
	h, err := StartHost(t.TempDir(), dir, rec)
	if err != nil {
		t.Fatalf("%s plugin: %v", name, err)
	}
	t.Cleanup(func() {
		h.Close()
		if t.Failed() && os.Getenv("CONFORMANCE_VERBOSE") != "" {
			t.Logf("%s host log:\n%s", name, h.Log())
		}
	})
	s := &side{name: name, ts: ts, host: h, rec: rec}
	if ts {
		if err := h.Control(http.MethodGet, rt.RouteMethods, nil, &s.known); err != nil {
			t.Fatal(err)
		}
		s.rows = map[string]rt.MethodRow{}
		for _, r := range s.known.API {
			s.rows[r.Go] = r
		}
		if !harness.NewestHost {
			if err := h.Control(http.MethodGet, rt.RouteModels, nil, &s.shape); err != nil {
				t.Fatal(err)
			}
		}
	}
	return s
}

func requireTS(t *testing.T) {
	t.Helper()
	if tsDir == "" {
		t.Skipf("$%s is not set (node scripts/build-roundtrip-plugin.mjs builds the plugin into ../build/roundtrip-tsplugin)", TSPluginEnv)
	}
}

// coverage collects what the TypeScript plugin could not do, reported at the end of a test.
type coverage struct {
	uncovered map[string]string
}

func (c *coverage) add(name, why string) {
	if c.uncovered == nil {
		c.uncovered = map[string]string{}
	}
	c.uncovered[name] = why
}

func (c *coverage) report(t *testing.T, what string, total int, strict bool) {
	t.Helper()
	names := make([]string, 0, len(c.uncovered))
	for n := range c.uncovered {
		names = append(names, n)
	}
	sort.Strings(names)
	t.Logf("%s: %d of %d covered by the TypeScript plugin", what, total-len(names), total)
	if len(names) == 0 {
		return
	}
	var b strings.Builder
	for _, n := range names {
		fmt.Fprintf(&b, "\n  %s: %s", n, c.uncovered[n])
	}
	if strict {
		t.Errorf("NOT COVERED by the TypeScript plugin (%d):%s", len(names), b.String())
	} else {
		t.Logf("NOT COVERED by the TypeScript plugin (%d):%s", len(names), b.String())
	}
}

// knownDeviations are differences from the Go reference that the package makes on purpose, by case
// ("<Method>/<mode>", or "<Method>/*" for every mode). They are logged instead of failing the test, and a
// listed case that no longer differs fails it, so that the list stays true.
var knownDeviations = map[string]string{
	"LoadPluginConfiguration/err": "the host's glue (apiRPCClient.LoadPluginConfiguration) only logs the server's error and returns nil, leaving a Go plugin's destination as it was; the package throws a PluginApiError with the server's message, since settings silently left empty are worse",
	"OnPluginClusterEvent/*":      "the package hands the event to onPluginClusterEvent as {id, data} (its friendlier signature), not Go's JSON shape {Id, Data}",
	// Given a value and a rejection reason, the package sends the reason only. For these three the host's
	// glue then returns the hook's own argument with the reason, and the server rejects on a non-empty
	// reason before it looks at the value (createPost; the member hooks' contract in hooks.go, and
	// ChannelMemberWillBeAdded's server code): the same outcome as a Go plugin's.
	"MessageWillBePosted/ok":      "given a value and a rejection reason, the package sends the reason only: the host hands the server the post it passed in, and the server rejects on the reason without looking at the post (same outcome)",
	"ChannelMemberWillBeAdded/ok": "given a value and a rejection reason, the package sends the reason only: the host hands the server the member it passed in, and the server rejects on the reason without looking at the member (same outcome)",
	"TeamMemberWillBeAdded/ok":    "given a value and a rejection reason, the package sends the reason only: the host hands the server the member it passed in, and a non-empty reason rejects (hooks.go; same outcome)",
	// Not the same outcome: outside guarded channels the server's UpdatePost rejects an edit only when the
	// post is nil and otherwise drops the reason, so a Go plugin answering both has its post saved.
	"MessageWillBeUpdated/ok": "given a value and a rejection reason, the package sends the reason only, so the host returns no post and the server refuses the edit, as the package's {post, rejectReason} promises; a Go plugin answering both has its post saved and the reason dropped (UpdatePost rejects only a nil post, except in guarded channels)",
}

func deviation(name string) (string, bool) {
	if why, ok := knownDeviations[name]; ok {
		return why, true
	}
	method, _, _ := strings.Cut(name, "/")
	why, ok := knownDeviations[method+"/*"]
	return why, ok
}

// judge reports the problems of a TypeScript case: failures, or a known deviation's log line.
func judge(t *testing.T, what, name string, problems []string) {
	t.Helper()
	why, known := deviation(name)
	switch {
	case known && len(problems) > 0:
		t.Logf("known deviation, %s %s: %s\n  %s", what, name, why, strings.Join(problems, "\n  "))
	case known:
		t.Errorf("%s %s no longer deviates from the Go reference: remove it from knownDeviations", what, name)
	case len(problems) > 0:
		t.Errorf("TypeScript plugin, %s %s (want: what the Go reference plugin got):\n  %s", what, name, strings.Join(problems, "\n  "))
	}
}

// ---------------------------------------------------------------------------------------------
// API

type apiCase struct {
	calls []Call
	resp  rt.CallResponse
	err   error
	// The package's table has other parameters for the method than this line's plugin.API.
	signature string
}

func apiMethods() []reflect.Method {
	var out []reflect.Method
	for _, m := range rt.SortedMethods(reflect.TypeFor[plugin.API]()) {
		if _, manual := rt.ManualAPI[m.Name]; !manual {
			out = append(out, m)
		}
	}
	return out
}

func caseName(name string, mode rt.Mode) string { return name + "/" + string(mode) }

// runAPI calls every method in every mode through the plugin and returns what happened, by case name.
func runAPI(s *side) map[string]*apiCase {
	out := map[string]*apiCase{}
	for _, m := range apiMethods() {
		for _, mode := range rt.Modes(m.Type) {
			req := rt.CallRequest{Method: m.Name, Mode: mode}
			c := &apiCase{}
			if s.ts {
				if row, ok := s.rows[m.Name]; ok && !slices.Equal(row.Params, rt.ParamKinds(m.Type)) {
					c.signature = fmt.Sprintf("the package's table has parameters %v, this line's plugin.API %v", row.Params, rt.ParamKinds(m.Type))
					out[caseName(m.Name, mode)] = c
					continue
				}
				req.Args = rt.ArgsJSON(m.Name, m.Type, rt.NewGen().Args(m.Name, m.Type), s.shape)
			}
			s.rec.Arm(m.Name, mode)
			c.err = s.host.Control(http.MethodPost, rt.RouteAPI, req, &c.resp)
			c.calls = s.rec.Disarm()
			out[caseName(m.Name, mode)] = c
		}
	}
	return out
}

// sampleArgs is what the Go reference plugin passed, as the recorder sees arguments: readers as their
// bytes, a variadic list spread, LoadPluginConfiguration's destination not at all.
func sampleArgs(name string, ft reflect.Type) []reflect.Value {
	if name == "LoadPluginConfiguration" {
		return nil
	}
	args := rt.NewGen().Args(name, ft)
	var out []reflect.Value
	for i, a := range args {
		switch {
		case rt.IsReader(ft.In(i)):
			out = append(out, reflect.ValueOf(rt.ReaderBytes(name, i)))
		case ft.IsVariadic() && i == ft.NumIn()-1:
			// The host's Log* glue sends the key-value pairs as strings (plugin/stringifier.go).
			for j := 0; j < a.Len(); j++ {
				out = append(out, reflect.ValueOf(fmt.Sprintf("%+v", a.Index(j).Interface())))
			}
		default:
			out = append(out, a)
		}
	}
	return out
}

func argsDiff(want, got []reflect.Value) []string { return argsDiffIn(nil, want, got) }

func argsDiffIn(shape rt.ModelTable, want, got []reflect.Value) []string {
	var out []string
	n := max(len(want), len(got))
	for i := 0; i < n; i++ {
		var w, g reflect.Value
		if i < len(want) {
			w = want[i]
		}
		if i < len(got) {
			g = got[i]
		}
		out = append(out, rt.ValueDiffIn(shape, fmt.Sprintf("arg%d", i), w, g)...)
	}
	return out
}

func errorsDiff(want, got *rt.ErrorJSON) []string {
	switch {
	case want == nil && got == nil:
		return nil
	case want == nil || got == nil || *want != *got:
		return []string{fmt.Sprintf("error: want %s, got %s", errString(want), errString(got))}
	}
	return nil
}

func errString(e *rt.ErrorJSON) string {
	if e == nil {
		return "no error"
	}
	return fmt.Sprintf("%+v", *e)
}

// shapedResults is what the package makes of the sample results of an older line's method: the results
// in the shape of the package's (newest) model table. Only used where the Go reference plugin got exactly
// the samples, so that the host changed nothing on the way.
func shapedResults(name string, ft reflect.Type, mode rt.Mode, shape rt.ModelTable) []any {
	if name == "LoadPluginConfiguration" {
		res, _ := expectedResults(name, ft, mode)
		return res
	}
	out := []any{}
	for i, v := range rt.NewGen().Returns(name, ft, mode) {
		if !rt.IsAppError(ft.Out(i)) && !rt.IsError(ft.Out(i)) {
			out = append(out, rt.ShapedJSON(v, shape, false))
		}
	}
	return out
}

// expectedResults is what the methods' samples are as results (TableJSON, no hidden fields) and error.
func expectedResults(name string, ft reflect.Type, mode rt.Mode) ([]any, *rt.ErrorJSON) {
	if name == "LoadPluginConfiguration" {
		if mode == rt.Err {
			// The host's glue drops the error (client_rpc.go logs it and returns nil): the plugin sees
			// no error and an untouched destination.
			return []any{map[string]any{}}, nil
		}
		return []any{rt.TableJSON(ConfigSample(), false)}, nil
	}
	results, errJSON := rt.ResultsOf(ft, rt.NewGen().Returns(name, ft, mode))
	if errJSON != nil && errJSON.Type == "error" {
		errJSON.Code = 0
	}
	return results, errJSON
}

func checkOneCall(c *apiCase) []string {
	if c.err != nil {
		return []string{c.err.Error()}
	}
	if len(c.calls) != 1 {
		return []string{fmt.Sprintf("the fake API received %d calls of the method, want 1 (the plugin got %s, results %s)", len(c.calls), errString(c.resp.Error), short(fmt.Sprint(c.resp.Results)))}
	}
	return nil
}

// TestRoundTripAPI: every plugin.API method of this line, called by the Go reference plugin and by the
// TypeScript plugin with the same samples, must reach the fake API with the same arguments and give
// the plugins the same results and errors.
func TestRoundTripAPI(t *testing.T) {
	goSide := startSide(t, "Go reference", refDir, false)
	goCases := runAPI(goSide)
	goClean := map[string]bool{}

	// The reference plugin proves the harness: the fake API got the samples, the plugin the sample results.
	for _, m := range apiMethods() {
		for _, mode := range rt.Modes(m.Type) {
			name := caseName(m.Name, mode)
			c := goCases[name]
			problems := checkOneCall(c)
			if len(problems) == 0 {
				if m.Name != "LoadPluginConfiguration" {
					problems = append(problems, argsDiff(sampleArgs(m.Name, m.Type), c.calls[0].Args)...)
				}
				wantRes, wantErr := expectedResults(m.Name, m.Type, mode)
				if mode != rt.Err {
					problems = append(problems, harness.Diff(wantRes, c.resp.Results)...)
				}
				problems = append(problems, errorsDiff(wantErr, c.resp.Error)...)
			}
			if len(problems) > 0 {
				t.Errorf("Go reference plugin, %s:\n  %s", name, strings.Join(problems, "\n  "))
			}
			goClean[name] = len(problems) == 0
		}
	}

	requireTS(t)
	tsSide := startSide(t, "TypeScript", tsDir, true)
	tsCases := runAPI(tsSide)
	var cov coverage
	var changed []string
	total := 0
	for _, m := range apiMethods() {
		total++
		for _, mode := range rt.Modes(m.Type) {
			name := caseName(m.Name, mode)
			g, ts := goCases[name], tsCases[name]
			if ts.signature != "" {
				if harness.NewestHost {
					t.Errorf("%s: %s", name, ts.signature)
				} else if mode == rt.OK {
					changed = append(changed, m.Name+": "+ts.signature)
				}
				continue
			}
			if ts.err == nil && ts.resp.Uncovered != "" {
				cov.add(m.Name, ts.resp.Uncovered)
				continue
			}
			problems := checkOneCall(ts)
			if len(problems) == 0 && len(g.calls) == 1 {
				problems = append(problems, argsDiffIn(tsSide.shape, g.calls[0].Args, ts.calls[0].Args)...)
				if mode != rt.Err {
					want := g.resp.Results
					if tsSide.shape != nil && goClean[name] {
						want = shapedResults(m.Name, m.Type, mode, tsSide.shape)
					}
					problems = append(problems, harness.Diff(want, ts.resp.Results, harness.ZeroScalarsAsMissing())...)
				}
				problems = append(problems, errorsDiff(g.resp.Error, ts.resp.Error)...)
			}
			judge(t, "method", name, problems)
		}
	}
	// The package's own answer where it deviates is held too: a PluginApiError with the server's message.
	if c := tsCases[caseName("LoadPluginConfiguration", rt.Err)]; c != nil && c.err == nil && c.resp.Uncovered == "" {
		want := &rt.ErrorJSON{Type: "error", Message: rt.SampleError("LoadPluginConfiguration").Error()}
		if problems := errorsDiff(want, c.resp.Error); len(problems) > 0 {
			t.Errorf("TypeScript plugin, LoadPluginConfiguration/err (want the package's PluginApiError):\n  %s", strings.Join(problems, "\n  "))
		}
	}
	cov.report(t, "API methods", total, requireComplete && harness.NewestHost)
	if len(changed) > 0 {
		t.Logf("methods whose signature changed since this line (the package calls the newest one; not driven here):\n  %s", strings.Join(changed, "\n  "))
	}
	for _, c := range tsSide.rec.other {
		if c.Method != "GetServerVersion" && !strings.HasPrefix(c.Method, "Log") {
			t.Logf("the TypeScript runtime also called %s outside the cases", c.Method)
		}
	}
}

// ---------------------------------------------------------------------------------------------
// Hooks

type hookCase struct {
	out []reflect.Value
	log rt.HookLog
	err error
}

// hookMethods lists the hooks of this line the round trip drives, OnDeactivate last (a runtime may wind
// down after it).
func hookMethods() []reflect.Method {
	var out []reflect.Method
	var last []reflect.Method
	for _, m := range rt.SortedMethods(reflect.TypeFor[plugin.Hooks]()) {
		if _, manual := rt.ManualHooks[m.Name]; manual {
			continue
		}
		if m.Name == "OnDeactivate" {
			last = append(last, m)
			continue
		}
		out = append(out, m)
	}
	return append(out, last...)
}

// armFor is what a plugin is told before the hook is called: the TypeScript plugin gets the sample
// results as JSON (with the fields Go's JSON leaves out, under their Go names) and the error.
func armFor(s *side, name string, ft reflect.Type, mode rt.Mode) rt.HookArm {
	arm := rt.HookArm{Hook: name, Mode: mode}
	if !s.ts {
		return arm
	}
	out := rt.NewGen().Returns(name, ft, mode)
	for i, v := range out {
		rtp := ft.Out(i)
		switch {
		case rt.IsAppError(rtp) || rt.IsError(rtp):
			if !v.IsNil() && arm.Error == nil {
				arm.Error = rt.ErrorOf(v.Interface().(error))
			}
		default:
			arm.Results = append(arm.Results, rt.ShapedJSON(v, s.shape, true))
		}
	}
	return arm
}

func runHooks(t *testing.T, s *side) map[string]*hookCase {
	t.Helper()
	hooks, err := s.host.Hooks()
	if err != nil {
		t.Fatal(err)
	}
	hv := reflect.ValueOf(hooks)
	out := map[string]*hookCase{}
	for _, m := range hookMethods() {
		for _, mode := range rt.Modes(m.Type) {
			c := &hookCase{}
			out[caseName(m.Name, mode)] = c
			if c.err = s.host.Control(http.MethodPost, rt.RouteHookArm, armFor(s, m.Name, m.Type, mode), nil); c.err != nil {
				continue
			}
			args := rt.NewGen().Args(m.Name, m.Type)
			fn := hv.MethodByName(m.Name)
			if !harness.Within(CallTimeout, func() { c.out = fn.Call(args) }) {
				c.err = fmt.Errorf("the hook did not return within %s", CallTimeout)
				continue
			}
			c.err = s.host.Control(http.MethodGet, rt.RouteHookLog+"?hook="+m.Name, nil, &c.log)
		}
	}
	return out
}

func outDiff(shape rt.ModelTable, ft reflect.Type, want, got []reflect.Value) []string {
	var out []string
	for i := 0; i < ft.NumOut(); i++ {
		var w, g reflect.Value
		if i < len(want) {
			w = want[i]
		}
		if i < len(got) {
			g = got[i]
		}
		if rt.IsError(ft.Out(i)) {
			// A plain error arrives as the host's *plugin.ErrorString: compare what it says.
			var we, ge *rt.ErrorJSON
			if w.IsValid() && !w.IsNil() {
				we = rt.ErrorOf(w.Interface().(error))
				we.Code = 0
			}
			if g.IsValid() && !g.IsNil() {
				ge = rt.ErrorOf(g.Interface().(error))
			}
			out = append(out, errorsDiff(we, ge)...)
			continue
		}
		out = append(out, rt.ValueDiffIn(shape, fmt.Sprintf("result%d", i), w, g)...)
	}
	return out
}

func oneHookCall(c *hookCase) []string {
	if c.err != nil {
		return []string{c.err.Error()}
	}
	if len(c.log.Calls) != 1 {
		return []string{fmt.Sprintf("the plugin's hook ran %d times, want 1", len(c.log.Calls))}
	}
	return nil
}

// TestRoundTripHooks: every hook of this line, called by the host with the samples, must reach the Go
// reference plugin and the TypeScript plugin with the same arguments, and what each returns (the
// samples, or the sample error) must reach the host the same.
func TestRoundTripHooks(t *testing.T) {
	goSide := startSide(t, "Go reference", refDir, false)
	goCases := runHooks(t, goSide)
	goClean := map[string]bool{}
	for _, m := range hookMethods() {
		for _, mode := range rt.Modes(m.Type) {
			name := caseName(m.Name, mode)
			c := goCases[name]
			problems := oneHookCall(c)
			if len(problems) == 0 {
				want := make([]any, m.Type.NumIn())
				for i, a := range rt.NewGen().Args(m.Name, m.Type) {
					want[i] = rt.TableJSON(a, false)
				}
				problems = append(problems, harness.Diff(want, c.log.Calls[0])...)
				problems = append(problems, outDiff(nil, m.Type, rt.NewGen().Returns(m.Name, m.Type, mode), c.out)...)
			}
			if len(problems) > 0 {
				t.Errorf("Go reference plugin, hook %s:\n  %s", name, strings.Join(problems, "\n  "))
			}
			goClean[name] = len(problems) == 0
		}
	}

	requireTS(t)
	tsSide := startSide(t, "TypeScript", tsDir, true)
	known := tsSide.known
	tsCases := runHooks(t, tsSide)
	var cov coverage
	total := 0
	for _, m := range hookMethods() {
		total++
		if !slices.ContainsFunc(known.Hooks, func(r rt.MethodRow) bool { return r.Go == m.Name }) {
			cov.add(m.Name, "the TypeScript plugin does not implement it (no row in the package's hook table)")
			continue
		}
		for _, mode := range rt.Modes(m.Type) {
			name := caseName(m.Name, mode)
			g, ts := goCases[name], tsCases[name]
			problems := oneHookCall(ts)
			if len(problems) == 0 && len(g.log.Calls) == 1 {
				want := g.log.Calls[0]
				if tsSide.shape != nil && goClean[name] {
					want = make([]any, m.Type.NumIn())
					for i, a := range rt.NewGen().Args(m.Name, m.Type) {
						want[i] = rt.ShapedJSON(a, tsSide.shape, false)
					}
				}
				problems = append(problems, prefixed("args", harness.Diff(want, ts.log.Calls[0], harness.ZeroScalarsAsMissing()))...)
				problems = append(problems, outDiff(tsSide.shape, m.Type, g.out, ts.out)...)
			}
			judge(t, "hook", name, problems)
		}
	}
	// The friendlier signature is held too: the event Go's plugin got, under the package's names.
	if g, ts := goCases[caseName("OnPluginClusterEvent", rt.OK)], tsCases[caseName("OnPluginClusterEvent", rt.OK)]; g != nil && ts != nil && oneHookCall(g) == nil && oneHookCall(ts) == nil {
		want := slices.Clone(g.log.Calls[0])
		if ev, ok := want[1].(map[string]any); ok {
			want[1] = map[string]any{"id": ev["Id"], "data": ev["Data"]}
		}
		if problems := harness.Diff(want, ts.log.Calls[0], harness.ZeroScalarsAsMissing()); len(problems) > 0 {
			t.Errorf("TypeScript plugin, OnPluginClusterEvent (want the event as {id, data}):\n  %s", strings.Join(problems, "\n  "))
		}
	}
	cov.report(t, "hooks", total, requireComplete && harness.NewestHost)
	manual := make([]string, 0, len(rt.ManualHooks))
	for n, why := range rt.ManualHooks {
		manual = append(manual, n+" ("+why+")")
	}
	sort.Strings(manual)
	t.Logf("hooks left to the hand-written tests:\n  %s", strings.Join(manual, "\n  "))
}

func prefixed(what string, lines []string) []string {
	for i, l := range lines {
		lines[i] = what + " " + l
	}
	return lines
}

// ---------------------------------------------------------------------------------------------
// Methods this line lacks

// TestNotSupported: every API method the package has (its table, as the TypeScript plugin reports it) and
// this line's plugin.API lacks must be refused with a NotSupportedError naming the method and the server
// version, promptly. On the newest line the two lists must be the same.
func TestNotSupported(t *testing.T) {
	requireTS(t)
	s := startSide(t, "TypeScript", tsDir, true)
	known := s.known
	line := map[string]bool{}
	for _, m := range rt.SortedMethods(reflect.TypeFor[plugin.API]()) {
		line[m.Name] = true
	}
	var missing []string
	table := map[string]bool{}
	for _, r := range known.API {
		table[r.Go] = true
		if !line[r.Go] {
			missing = append(missing, r.Go)
		}
	}
	var notInTable []string
	for name := range line {
		if !table[name] {
			notInTable = append(notInTable, name)
		}
	}
	sort.Strings(notInTable)
	if len(notInTable) > 0 {
		msg := fmt.Sprintf("this line's plugin.API has %d methods the package's table lacks: %s", len(notInTable), strings.Join(notInTable, ", "))
		if requireComplete {
			t.Error(msg)
		} else {
			t.Log(msg)
		}
	}
	if harness.NewestHost && len(missing) > 0 {
		t.Errorf("the package's table has methods the newest plugin.API lacks: %s", strings.Join(missing, ", "))
	}
	t.Logf("%d of the package's %d methods are not on this line", len(missing), len(known.API))
	var cov coverage
	defer func() { cov.report(t, "methods this line lacks", len(missing), requireComplete) }()
	for _, name := range missing {
		var resp rt.CallResponse
		if err := s.host.Control(http.MethodPost, rt.RouteUnsupported, rt.CallRequest{Method: name}, &resp); err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		switch {
		case resp.Uncovered != "":
			cov.add(name, resp.Uncovered)
		case resp.Error == nil:
			t.Errorf("%s: the call succeeded on a server without the method (results %v)", name, resp.Results)
		case resp.Error.Type != "NotSupportedError" || !strings.Contains(resp.Error.Message, name) || !strings.Contains(resp.Error.Message, serverVersion):
			t.Errorf("%s: want a NotSupportedError naming %s and the server version %s, got %s", name, name, serverVersion, errString(resp.Error))
		}
	}
	for _, c := range s.rec.other {
		if slices.Contains(missing, c.Method) {
			t.Errorf("the fake API received %s, which this line does not have", c.Method)
		}
	}
}
