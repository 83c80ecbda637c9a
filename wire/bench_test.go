package wire

import (
	"testing"

	"github.com/statusd/statusd/result"
)

// The benchmarks run the encoding/json oracle (the codec before the
// hand-written one) next to the new code, on a passing probe ("success",
// the common case) and a failing one with a message ("failure").

func benchResults() []struct {
	name string
	r    result.Result
} {
	return []struct {
		name string
		r    result.Result
	}{{"success", typicalResult()}, {"failure", sampleResult()}}
}

func BenchmarkDecodeResult(b *testing.B) {
	for _, in := range benchResults() {
		data, err := EncodeResult(in.r)
		if err != nil {
			b.Fatal(err)
		}
		for _, impl := range []struct {
			name   string
			decode func([]byte) (result.Result, error)
		}{
			{"oracle", oracleDecodeResult},
			{"DecodeResult", DecodeResult},
			{"ResultDecoder", NewResultDecoder().Decode},
		} {
			b.Run(in.name+"/"+impl.name, func(b *testing.B) {
				b.ReportAllocs()
				b.SetBytes(int64(len(data)))
				for b.Loop() {
					if _, err := impl.decode(data); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

func BenchmarkEncodeResult(b *testing.B) {
	for _, in := range benchResults() {
		b.Run(in.name+"/oracle", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := oracleEncodeResult(in.r); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(in.name+"/EncodeResult", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := EncodeResult(in.r); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(in.name+"/AppendResult", func(b *testing.B) {
			b.ReportAllocs()
			var buf []byte
			for b.Loop() {
				buf = AppendResult(buf[:0], in.r)
			}
		})
	}
}
