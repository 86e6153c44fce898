package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"

	"github.com/mattermost/mattermost/server/public/model"
)

// apiMethod calls one API method with JSON arguments and returns its result and error.
type apiMethod func(p *Plugin, args []json.RawMessage) (result any, err error)

// errBadArgs marks an argument decoding failure (answered with 400).
type errBadArgs struct{ err error }

func (e errBadArgs) Error() string { return "bad arguments: " + e.err.Error() }

// decodeArgs decodes args[i] into ptrs[i]; the counts must match.
func decodeArgs(args []json.RawMessage, ptrs ...any) error {
	if len(args) != len(ptrs) {
		return errBadArgs{fmt.Errorf("want %d arguments, got %d", len(ptrs), len(args))}
	}
	for i, raw := range args {
		if err := json.Unmarshal(raw, ptrs[i]); err != nil {
			return errBadArgs{fmt.Errorf("argument %d: %w", i, err)}
		}
	}
	return nil
}

// appErr turns a possibly nil *model.AppError into an error without the typed-nil trap.
func appErr(e *model.AppError) error {
	if e == nil {
		return nil
	}
	return e
}

var apiMethods = map[string]apiMethod{
	"KVGet": func(p *Plugin, args []json.RawMessage) (any, error) {
		var key string
		if err := decodeArgs(args, &key); err != nil {
			return nil, err
		}
		v, e := p.API.KVGet(key)
		return v, appErr(e)
	},
	"KVSet": func(p *Plugin, args []json.RawMessage) (any, error) {
		var key string
		var value []byte
		if err := decodeArgs(args, &key, &value); err != nil {
			return nil, err
		}
		return nil, appErr(p.API.KVSet(key, value))
	},
	"KVSetWithOptions": func(p *Plugin, args []json.RawMessage) (any, error) {
		var key string
		var value []byte
		var opts model.PluginKVSetOptions
		if err := decodeArgs(args, &key, &value, &opts); err != nil {
			return nil, err
		}
		ok, e := p.API.KVSetWithOptions(key, value, opts)
		return ok, appErr(e)
	},
	"KVCompareAndSet": func(p *Plugin, args []json.RawMessage) (any, error) {
		var key string
		var oldValue, newValue []byte
		if err := decodeArgs(args, &key, &oldValue, &newValue); err != nil {
			return nil, err
		}
		ok, e := p.API.KVCompareAndSet(key, oldValue, newValue)
		return ok, appErr(e)
	},
	"KVCompareAndDelete": func(p *Plugin, args []json.RawMessage) (any, error) {
		var key string
		var oldValue []byte
		if err := decodeArgs(args, &key, &oldValue); err != nil {
			return nil, err
		}
		ok, e := p.API.KVCompareAndDelete(key, oldValue)
		return ok, appErr(e)
	},
	"KVDelete": func(p *Plugin, args []json.RawMessage) (any, error) {
		var key string
		if err := decodeArgs(args, &key); err != nil {
			return nil, err
		}
		return nil, appErr(p.API.KVDelete(key))
	},
	"KVList": func(p *Plugin, args []json.RawMessage) (any, error) {
		var page, perPage int
		if err := decodeArgs(args, &page, &perPage); err != nil {
			return nil, err
		}
		keys, e := p.API.KVList(page, perPage)
		if e != nil {
			return nil, e
		}
		if keys == nil {
			keys = []string{}
		}
		return keys, nil
	},
	"GetUser": func(p *Plugin, args []json.RawMessage) (any, error) {
		var id string
		if err := decodeArgs(args, &id); err != nil {
			return nil, err
		}
		u, e := p.API.GetUser(id)
		if e != nil {
			return nil, e
		}
		return u, nil
	},
	"GetUserByUsername": func(p *Plugin, args []json.RawMessage) (any, error) {
		var name string
		if err := decodeArgs(args, &name); err != nil {
			return nil, err
		}
		u, e := p.API.GetUserByUsername(name)
		if e != nil {
			return nil, e
		}
		return u, nil
	},
	"GetChannel": func(p *Plugin, args []json.RawMessage) (any, error) {
		var id string
		if err := decodeArgs(args, &id); err != nil {
			return nil, err
		}
		c, e := p.API.GetChannel(id)
		if e != nil {
			return nil, e
		}
		return c, nil
	},
	"GetChannelMember": func(p *Plugin, args []json.RawMessage) (any, error) {
		var channelID, userID string
		if err := decodeArgs(args, &channelID, &userID); err != nil {
			return nil, err
		}
		m, e := p.API.GetChannelMember(channelID, userID)
		if e != nil {
			return nil, e
		}
		return m, nil
	},
	"GetDirectChannel": func(p *Plugin, args []json.RawMessage) (any, error) {
		var u1, u2 string
		if err := decodeArgs(args, &u1, &u2); err != nil {
			return nil, err
		}
		c, e := p.API.GetDirectChannel(u1, u2)
		if e != nil {
			return nil, e
		}
		return c, nil
	},
	"CreatePost": func(p *Plugin, args []json.RawMessage) (any, error) {
		var post *model.Post
		if err := decodeArgs(args, &post); err != nil {
			return nil, err
		}
		out, e := p.API.CreatePost(post)
		if e != nil {
			return nil, e
		}
		return out, nil
	},
	"GetPost": func(p *Plugin, args []json.RawMessage) (any, error) {
		var id string
		if err := decodeArgs(args, &id); err != nil {
			return nil, err
		}
		out, e := p.API.GetPost(id)
		if e != nil {
			return nil, e
		}
		return out, nil
	},
	"SendEphemeralPost": func(p *Plugin, args []json.RawMessage) (any, error) {
		var userID string
		var post *model.Post
		if err := decodeArgs(args, &userID, &post); err != nil {
			return nil, err
		}
		return p.API.SendEphemeralPost(userID, post), nil
	},
	"EnsureBotUser": func(p *Plugin, args []json.RawMessage) (any, error) {
		var bot *model.Bot
		if err := decodeArgs(args, &bot); err != nil {
			return nil, err
		}
		id, err := p.API.EnsureBotUser(bot)
		if err != nil {
			return nil, err
		}
		return id, nil
	},
	"GetConfig": func(p *Plugin, args []json.RawMessage) (any, error) {
		if err := decodeArgs(args); err != nil {
			return nil, err
		}
		return p.API.GetConfig(), nil
	},
	"GetPluginConfig": func(p *Plugin, args []json.RawMessage) (any, error) {
		if err := decodeArgs(args); err != nil {
			return nil, err
		}
		return p.API.GetPluginConfig(), nil
	},
	"LoadPluginConfiguration": func(p *Plugin, args []json.RawMessage) (any, error) {
		if err := decodeArgs(args); err != nil {
			return nil, err
		}
		var cfg map[string]any
		if err := p.API.LoadPluginConfiguration(&cfg); err != nil {
			return nil, err
		}
		return cfg, nil
	},
	"PublishPluginClusterEvent": func(p *Plugin, args []json.RawMessage) (any, error) {
		var ev model.PluginClusterEvent
		var opts model.PluginClusterEventSendOptions
		if err := decodeArgs(args, &ev, &opts); err != nil {
			return nil, err
		}
		return nil, p.API.PublishPluginClusterEvent(ev, opts)
	},
	"PublishWebSocketEvent": func(p *Plugin, args []json.RawMessage) (any, error) {
		var event string
		var payload map[string]any
		var broadcast *model.WebsocketBroadcast
		if err := decodeArgs(args, &event, &payload, &broadcast); err != nil {
			return nil, err
		}
		p.API.PublishWebSocketEvent(event, payload, broadcast)
		return nil, nil
	},
	"HasPermissionToChannel": func(p *Plugin, args []json.RawMessage) (any, error) {
		var userID, channelID, permissionID string
		if err := decodeArgs(args, &userID, &channelID, &permissionID); err != nil {
			return nil, err
		}
		return p.API.HasPermissionToChannel(userID, channelID, &model.Permission{Id: permissionID}), nil
	},
	"RegisterCommand": func(p *Plugin, args []json.RawMessage) (any, error) {
		var cmd *model.Command
		if err := decodeArgs(args, &cmd); err != nil {
			return nil, err
		}
		return nil, p.API.RegisterCommand(cmd)
	},
	"GetServerVersion": func(p *Plugin, args []json.RawMessage) (any, error) {
		if err := decodeArgs(args); err != nil {
			return nil, err
		}
		return p.API.GetServerVersion(), nil
	},
	"LogDebug": logMethod(func(p *Plugin) func(string, ...any) { return p.API.LogDebug }),
	"LogInfo":  logMethod(func(p *Plugin) func(string, ...any) { return p.API.LogInfo }),
	"LogWarn":  logMethod(func(p *Plugin) func(string, ...any) { return p.API.LogWarn }),
	"LogError": logMethod(func(p *Plugin) func(string, ...any) { return p.API.LogError }),
}

func logMethod(pick func(p *Plugin) func(string, ...any)) apiMethod {
	return func(p *Plugin, args []json.RawMessage) (any, error) {
		if len(args) == 0 {
			return nil, errBadArgs{errors.New("want at least the message")}
		}
		strs := make([]string, len(args))
		for i, raw := range args {
			if err := json.Unmarshal(raw, &strs[i]); err != nil {
				return nil, errBadArgs{fmt.Errorf("argument %d: %w", i, err)}
			}
		}
		kv := make([]any, len(strs)-1)
		for i, s := range strs[1:] {
			kv[i] = s
		}
		pick(p)(strs[0], kv...)
		return nil, nil
	}
}

// errorJSON is the contract's JSON shape of an error.
func errorJSON(err error) any {
	var ae *model.AppError
	if errors.As(err, &ae) {
		return map[string]any{
			"type":           "AppError",
			"id":             ae.Id,
			"message":        ae.Message,
			"detailed_error": ae.DetailedError,
			"status_code":    ae.StatusCode,
			"where":          ae.Where,
		}
	}
	return map[string]any{"type": "error", "message": err.Error()}
}

// serveAPI answers POST /api/{Method}.
func (p *Plugin) serveAPI(w http.ResponseWriter, r *http.Request, method string) {
	fn, ok := apiMethods[method]
	if !ok {
		writeJSON(w, http.StatusNotFound, map[string]any{"error": map[string]any{"type": "error", "message": "unknown method"}})
		return
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]any{"result": nil, "error": errorJSON(err)})
		return
	}
	var req struct {
		Args []json.RawMessage `json:"args"`
	}
	if err := json.Unmarshal(body, &req); err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]any{"result": nil, "error": errorJSON(errBadArgs{err})})
		return
	}
	result, err := fn(p, req.Args)
	var bad errBadArgs
	if errors.As(err, &bad) {
		writeJSON(w, http.StatusBadRequest, map[string]any{"result": nil, "error": errorJSON(err)})
		return
	}
	var errOut any
	if err != nil {
		errOut = errorJSON(err)
		result = nil
	}
	writeJSON(w, http.StatusOK, map[string]any{"result": result, "error": errOut})
}
