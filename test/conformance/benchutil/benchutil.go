// Package benchutil holds what the benchmarks and the soak run share that is not about the plugin: their
// environment knobs, the statistics they report and the machine's load next to each number.
package benchutil

import (
	"os"
	"strconv"
	"strings"
)

// EnvInt is the positive integer in environment variable name, or def when it is unset or not one.
func EnvInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v > 0 {
		return v
	}
	return def
}

// Quantile is the q-quantile (0..1) of an ascending slice, by nearest rank; 0 for an empty one.
func Quantile(sorted []float64, q float64) float64 {
	if len(sorted) == 0 {
		return 0
	}
	i := int(q * float64(len(sorted)))
	if i >= len(sorted) {
		i = len(sorted) - 1
	}
	return sorted[i]
}

// LoadAverage is the 1, 5 and 15 minute load averages of /proc/loadavg, or "n/a": a number measured on a
// shared machine means little without it.
func LoadAverage() string {
	raw, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "n/a"
	}
	f := strings.Fields(string(raw))
	if len(f) < 3 {
		return "n/a"
	}
	return strings.Join(f[:3], " ")
}
