package einvoice

import (
	"bytes"
	"encoding/binary"
	"math"
	"sync"
)

// The sRGB colour profile of the PDF/A OutputIntent is written here rather than shipped: an ICC
// v2.1 display profile ("mntr", RGB to the XYZ connection space) whose colorants are the sRGB
// primaries of IEC 61966-2-1 adapted to D50 (Bradford), with the sRGB tone curve sampled on 1024
// points. Every number comes from the standard; nobody's file is copied, so there is no licence to
// carry.

var (
	iccOnce sync.Once
	iccData []byte
)

// SRGBProfile returns the bytes of the sRGB ICC profile (the same bytes on every call).
func SRGBProfile() []byte {
	iccOnce.Do(func() { iccData = buildSRGB() })
	return iccData
}

// s15 is a number as an ICC s15Fixed16Number.
func s15(v float64) uint32 { return uint32(int32(math.Round(v * 65536))) }

func xyzTag(x, y, z float64) []byte {
	var b bytes.Buffer
	b.WriteString("XYZ ")
	b.Write(make([]byte, 4))
	for _, v := range []float64{x, y, z} {
		_ = binary.Write(&b, binary.BigEndian, s15(v))
	}
	return b.Bytes()
}

func textTag(s string) []byte {
	b := append([]byte("text\x00\x00\x00\x00"), s...)
	return append(b, 0)
}

// descTag is a v2 textDescriptionType: the ASCII name, no Unicode and no ScriptCode names.
func descTag(s string) []byte {
	var b bytes.Buffer
	b.WriteString("desc")
	b.Write(make([]byte, 4))
	_ = binary.Write(&b, binary.BigEndian, uint32(len(s)+1))
	b.WriteString(s)
	b.WriteByte(0)
	b.Write(make([]byte, 4+4)) // Unicode language code and count
	b.Write(make([]byte, 2+1)) // ScriptCode code and count
	b.Write(make([]byte, 67))  // ScriptCode name
	return b.Bytes()
}

// curveTag samples the sRGB transfer function (linear below 0.04045, a 2.4 power above).
func curveTag() []byte {
	const n = 1024
	var b bytes.Buffer
	b.WriteString("curv")
	b.Write(make([]byte, 4))
	_ = binary.Write(&b, binary.BigEndian, uint32(n))
	for i := range n {
		v := float64(i) / (n - 1)
		if v <= 0.04045 {
			v /= 12.92
		} else {
			v = math.Pow((v+0.055)/1.055, 2.4)
		}
		_ = binary.Write(&b, binary.BigEndian, uint16(math.Round(v*65535)))
	}
	return b.Bytes()
}

func buildSRGB() []byte {
	curve := curveTag()
	type tag struct {
		sig  string
		data []byte
	}
	tags := []tag{
		{"desc", descTag("sRGB IEC61966-2.1")},
		{"cprt", textTag("No copyright, use freely")},
		{"wtpt", xyzTag(0.9642, 1.0, 0.8249)},
		{"rXYZ", xyzTag(0.4360747, 0.2225045, 0.0139322)},
		{"gXYZ", xyzTag(0.3850649, 0.7168786, 0.0971045)},
		{"bXYZ", xyzTag(0.1430804, 0.0606169, 0.7141733)},
		{"rTRC", curve}, {"gTRC", curve}, {"bTRC", curve},
	}
	// Layout: header, tag table, then each distinct tag's data on a 4-byte boundary (the three tone
	// curves share one).
	offset := 128 + 4 + 12*len(tags)
	var table, data bytes.Buffer
	_ = binary.Write(&table, binary.BigEndian, uint32(len(tags)))
	var curveAt uint32
	for _, t := range tags {
		at := uint32(offset + data.Len())
		if t.sig == "gTRC" || t.sig == "bTRC" {
			at = curveAt
		} else {
			data.Write(t.data)
			for data.Len()%4 != 0 {
				data.WriteByte(0)
			}
			if t.sig == "rTRC" {
				curveAt = at
			}
		}
		table.WriteString(t.sig)
		_ = binary.Write(&table, binary.BigEndian, at)
		_ = binary.Write(&table, binary.BigEndian, uint32(len(t.data)))
	}
	size := 128 + table.Len() + data.Len()

	var h bytes.Buffer
	_ = binary.Write(&h, binary.BigEndian, uint32(size))
	h.Write(make([]byte, 4)) // preferred CMM: none
	_ = binary.Write(&h, binary.BigEndian, uint32(0x02100000))
	h.WriteString("mntr")
	h.WriteString("RGB ")
	h.WriteString("XYZ ")
	for _, v := range []uint16{2026, 1, 1, 0, 0, 0} {
		_ = binary.Write(&h, binary.BigEndian, v)
	}
	h.WriteString("acsp")
	h.Write(make([]byte, 4+4+4+4+8))                  // platform, flags, manufacturer, model, attributes
	_ = binary.Write(&h, binary.BigEndian, uint32(0)) // perceptual intent
	for _, v := range []float64{0.9642, 1.0, 0.8249} {
		_ = binary.Write(&h, binary.BigEndian, s15(v))
	}
	h.Write(make([]byte, 128-h.Len()))

	return append(append(h.Bytes(), table.Bytes()...), data.Bytes()...)
}
