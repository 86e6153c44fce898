package gobfuzz

// encoding/gob sizes a map from the count on the wire before reading any entry
// (reflect.MakeMapWithSize in Decoder.decodeMap), and the map implementation allocates for that hint
// up front: a mutated stream claiming 2^31 entries makes Go allocate tens of GiB and get killed. The
// gob documentation says as much ("The Decoder does only basic sanity checking on decoded input
// sizes, and its limits are not configurable. Take caution when decoding gob data from untrusted
// sources."). It is not what these tests are about (the TypeScript decoder refuses such counts
// early), so inputs that might carry one are skipped on the Go side.

// ClaimsHugeCount reports whether data holds a gob unsigned integer, anywhere, in the range where a
// map count makes Go allocate gigabytes: from 2^20 up to 2^56 (beyond that, the map code gives up on
// the hint). It errs on the side of skipping: float and integer values in that range count too.
func ClaimsHugeCount(data []byte) bool {
	for i, b := range data {
		if b < 0xf8 || b > 0xfd { // byte counts 3..8
			continue
		}
		n := 256 - int(b)
		if i+1+n > len(data) {
			continue
		}
		var v uint64
		for _, c := range data[i+1 : i+1+n] {
			v = v<<8 | uint64(c)
		}
		if v >= 1<<20 && v < 1<<56 {
			return true
		}
	}
	return false
}
