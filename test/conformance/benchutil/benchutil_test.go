package benchutil

import (
	"os"
	"strconv"
	"strings"
	"testing"
)

func TestEnvInt(t *testing.T) {
	for _, c := range []struct {
		set  string
		want int
	}{{"", 7}, {"12", 12}, {"0", 7}, {"-3", 7}, {"x", 7}} {
		t.Setenv("BENCHUTIL_TEST_N", c.set)
		if got := EnvInt("BENCHUTIL_TEST_N", 7); got != c.want {
			t.Errorf("EnvInt with %q = %d, want %d", c.set, got, c.want)
		}
	}
}

func TestQuantile(t *testing.T) {
	s := []float64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}
	for _, c := range []struct{ q, want float64 }{{0, 1}, {0.5, 6}, {0.9, 10}, {0.99, 10}, {1, 10}} {
		if got := Quantile(s, c.q); got != c.want {
			t.Errorf("Quantile(1..10, %v) = %v, want %v", c.q, got, c.want)
		}
	}
	if Quantile(nil, 0.5) != 0 {
		t.Error("an empty sample must give 0")
	}
}

func TestLoadAverage(t *testing.T) {
	if _, err := os.Stat("/proc/loadavg"); err != nil {
		t.Skip("no /proc/loadavg")
	}
	got := LoadAverage()
	f := strings.Fields(got)
	if len(f) != 3 {
		t.Fatalf("LoadAverage = %q, want three numbers", got)
	}
	for _, x := range f {
		if _, err := strconv.ParseFloat(x, 64); err != nil {
			t.Errorf("LoadAverage = %q: %v", got, err)
		}
	}
}
