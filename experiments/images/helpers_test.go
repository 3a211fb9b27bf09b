package images

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"math"
)

// close32 reports whether a and b agree within abs + rel·|b|.
func close32(a, b float32, abs, rel float64) bool {
	return close64(float64(a), float64(b), abs, rel)
}

// close64 is close32 for float64 results (metrics reduce in float64).
func close64(a, b, abs, rel float64) bool {
	return math.Abs(a-b) <= abs+rel*math.Abs(b)
}

// idxBytes encodes an unsigned-byte IDX file with the given dimensions.
func idxBytes(dims []int, data []byte) []byte {
	var b bytes.Buffer
	b.Write([]byte{0, 0, idxUbyte, byte(len(dims))})
	for _, d := range dims {
		binary.Write(&b, binary.BigEndian, uint32(d))
	}
	b.Write(data)
	return b.Bytes()
}

// gzipBytes compresses p.
func gzipBytes(p []byte) []byte {
	var b bytes.Buffer
	z := gzip.NewWriter(&b)
	z.Write(p)
	z.Close()
	return b.Bytes()
}
