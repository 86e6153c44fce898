package harness

import (
	"fmt"
	"strings"
)

// CheckRPC runs call, a plain hook call, and reports a transport failure the host logged for the hook
// while it ran. The plain hooks hide one (they log it and return their defaults, which for the "will
// be" hooks is the value passed in), and not every hook has a *WithRPCErr variant on every line.
func (h *Host) CheckRPC(hook string, call func()) error {
	markers := []string{fmt.Sprintf("RPC call %s to plugin failed", hook), "Plugin failed to " + hook}
	count := func() (int, string) {
		_ = h.logger.Flush()
		log := h.Logs.String()
		n := 0
		for _, m := range markers {
			n += strings.Count(log, m)
		}
		return n, log
	}
	before, _ := count()
	if !Within(CallTimeout, call) {
		return fmt.Errorf("%s did not return within %s", hook, CallTimeout)
	}
	after, log := count()
	if after > before {
		for _, m := range markers {
			if i := strings.LastIndex(log, m); i >= 0 {
				line := log[i:]
				if j := strings.IndexByte(line, '\n'); j >= 0 {
					line = line[:j]
				}
				return fmt.Errorf("the host logged a transport failure: %s", line)
			}
		}
	}
	return nil
}
