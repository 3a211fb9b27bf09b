package genes

import (
	"bufio"
	"compress/gzip"
	"fmt"
	"io"
	"math"
	"strconv"
)

// WriteMatrix writes m as TSV text in the layout ReadMatrix reads and the
// bladderbatch files use: a header "sample" then the gene IDs, then one
// line per sample, values fixed-point with 6 decimals (%.6f), NaN as NA.
func WriteMatrix(w io.Writer, m *Matrix) error {
	bw := bufio.NewWriterSize(w, 1<<16)
	bw.WriteString("sample")
	for _, g := range m.Genes {
		bw.WriteByte('\t')
		bw.WriteString(g)
	}
	bw.WriteByte('\n')
	var buf []byte
	for i, s := range m.Samples {
		buf = append(buf[:0], s...)
		for _, v := range m.Row(i) {
			buf = append(buf, '\t')
			if math.IsNaN(v) {
				buf = append(buf, "NA"...)
			} else {
				buf = strconv.AppendFloat(buf, v, 'f', 6, 64)
			}
		}
		buf = append(buf, '\n')
		if _, err := bw.Write(buf); err != nil {
			return fmt.Errorf("genes: WriteMatrix: %w", err)
		}
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("genes: WriteMatrix: %w", err)
	}
	return nil
}

// WriteMatrixGzip writes m as gzip'd TSV (WriteMatrix), e.g. merged.tsv.gz.
func WriteMatrixGzip(w io.Writer, m *Matrix) error {
	zw, err := gzip.NewWriterLevel(w, gzip.BestCompression)
	if err != nil {
		return fmt.Errorf("genes: WriteMatrixGzip: %w", err)
	}
	if err := WriteMatrix(zw, m); err != nil {
		zw.Close()
		return err
	}
	if err := zw.Close(); err != nil {
		return fmt.Errorf("genes: WriteMatrixGzip: %w", err)
	}
	return nil
}
