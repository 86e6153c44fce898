package rt

import (
	"errors"
	"reflect"

	"github.com/mattermost/mattermost/server/public/model"
	"github.com/mattermost/mattermost/server/public/plugin"
)

// The control protocol a round-trip plugin serves on ServeHTTP (below /plugins/<id>), the same for the
// Go reference plugin and the TypeScript plugin:
//
//	POST /rt/api          CallRequest  → CallResponse: call one API method with the samples
//	POST /rt/hook/arm     HookArm      → 204: what the next call of that hook returns; its log is cleared
//	GET  /rt/hook/log?hook=<Hook>      → HookLog: the arguments the hook received since it was armed
//	GET  /rt/methods                   → Methods: the methods and hooks the plugin knows (its tables)
//	POST /rt/unsupported  CallRequest  → CallResponse: call a method this server lacks, with zero arguments
//	GET  /rt/models                    → ModelTable: the package's model table (TypeScript plugin only)
const (
	RouteAPI         = "/rt/api"
	RouteHookArm     = "/rt/hook/arm"
	RouteHookLog     = "/rt/hook/log"
	RouteMethods     = "/rt/methods"
	RouteUnsupported = "/rt/unsupported"
	RouteModels      = "/rt/models"
)

// CallRequest asks the plugin to call Method. The Go reference plugin builds the arguments itself (Gen
// is deterministic); the TypeScript plugin takes Args (ArgsJSON).
type CallRequest struct {
	Method string `json:"method"`
	Mode   Mode   `json:"mode"`
	Args   []any  `json:"args,omitempty"`
}

// ErrorJSON is an error as a plugin saw it: an AppError with its fields, a Go error (plugin.ErrorString
// on the wire) with its message and code, or the TypeScript error class by name.
type ErrorJSON struct {
	Type            string `json:"type"`
	Id              string `json:"id,omitempty"`
	Message         string `json:"message"`
	DetailedError   string `json:"detailed_error,omitempty"`
	RequestId       string `json:"request_id,omitempty"`
	StatusCode      int    `json:"status_code,omitempty"`
	Where           string `json:"where,omitempty"`
	SkipTranslation bool   `json:"skip_translation,omitempty"`
	Code            int    `json:"code,omitempty"`
}

// CallResponse is the method's non-error results (one JSON value each, TableJSON without hidden fields)
// or its error. Uncovered says why the plugin could not call the method at all.
type CallResponse struct {
	Results   []any      `json:"results"`
	Error     *ErrorJSON `json:"error"`
	Uncovered string     `json:"uncovered,omitempty"`
}

// HookArm sets what the next call of Hook returns: in Mode, Results (the TypeScript plugin's non-error
// results, JSON) and Error.
type HookArm struct {
	Hook    string     `json:"hook"`
	Mode    Mode       `json:"mode"`
	Results []any      `json:"results,omitempty"`
	Error   *ErrorJSON `json:"error,omitempty"`
}

// HookLog is what a hook received: one JSON value per argument (TableJSON without hidden fields), for
// each call since it was armed.
type HookLog struct {
	Calls [][]any `json:"calls"`
}

// MethodRow names a method or hook a plugin knows, Go and TypeScript names, and the kinds of its
// parameters (ParamKinds).
type MethodRow struct {
	Go     string   `json:"go"`
	TS     string   `json:"ts"`
	Wire   string   `json:"wire"`
	Params []string `json:"params,omitempty"`
}

// Methods lists what a plugin knows: every API method it can call and every hook it implements.
type Methods struct {
	API   []MethodRow `json:"api"`
	Hooks []MethodRow `json:"hooks"`
}

// ErrorOf describes an error a plugin got back.
func ErrorOf(err error) *ErrorJSON {
	if err == nil {
		return nil
	}
	var appErr *model.AppError
	if errors.As(err, &appErr) {
		return AppErrorJSON(appErr)
	}
	var es *plugin.ErrorString
	if errors.As(err, &es) {
		return &ErrorJSON{Type: "error", Message: es.Err, Code: es.Code}
	}
	return &ErrorJSON{Type: "error", Message: err.Error()}
}

// AppErrorJSON describes an AppError (nil for nil).
func AppErrorJSON(e *model.AppError) *ErrorJSON {
	if e == nil {
		return nil
	}
	return &ErrorJSON{
		Type: "AppError", Id: e.Id, Message: e.Message, DetailedError: e.DetailedError, RequestId: e.RequestId,
		StatusCode: e.StatusCode, Where: e.Where, SkipTranslation: e.SkipTranslation,
	}
}

// ResultsOf splits results into the JSON of the non-error ones and the first non-nil error.
func ResultsOf(ft reflect.Type, out []reflect.Value) ([]any, *ErrorJSON) {
	results := []any{}
	var errJSON *ErrorJSON
	for i, v := range out {
		rt := ft.Out(i)
		switch {
		case IsAppError(rt):
			if errJSON == nil && !v.IsNil() {
				errJSON = AppErrorJSON(v.Interface().(*model.AppError))
			}
		case IsError(rt):
			if errJSON == nil && !v.IsNil() {
				errJSON = ErrorOf(v.Interface().(error))
			}
		default:
			results = append(results, TableJSON(v, false))
		}
	}
	return results, errJSON
}

// ManualHooks are the hooks the round trip does not drive, with the reason; the hand-written tests
// (test/conformance/*_test.go) cover them.
var ManualHooks = map[string]string{
	"OnActivate":         "the environment calls it when activating; it carries the API connection (activation_test.go)",
	"Implemented":        "the host asks it at start; every hook the round trip calls depends on it",
	"ServeHTTP":          "http.ResponseWriter and *http.Request stream through the mux broker; the round trip's own control channel (http_test.go, servehttp_wire_test.go)",
	"ServeMetrics":       "http.ResponseWriter and *http.Request stream through the mux broker, as ServeHTTP (hooks_test.go)",
	"FileWillBeUploaded": "io.Reader and io.Writer stream through the mux broker (hooks_test.go)",
}

// ManualAPI are the API methods the round trip does not drive, with the reason.
var ManualAPI = map[string]string{
	"PluginHTTP": "takes an *http.Request and answers an *http.Response, streamed through the mux broker: no value to sample",
}
