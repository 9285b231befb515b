package arp

import (
	"bytes"
	"encoding/hex"
	"errors"
	"net/netip"
	"strings"
	"testing"
)

func unhex(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// A who-has for 198.18.0.200 from node-1 (198.18.0.11, 02:48:4c:00:00:11), written out by hand.
const requestHex = "ffffffffffff 02484c000011 0806" +
	"0001 0800 06 04 0001 02484c000011 c612000b 000000000000 c61200c8"

// The answer from 02:48:4c:00:00:12 as it arrives from a NIC: padded to the 60-byte minimum.
const replyHex = "02484c000011 02484c000012 0806" +
	"0001 0800 06 04 0002 02484c000012 c61200c8 02484c000011 c612000b" +
	"000000000000000000000000000000000000"

func TestRequestBytes(t *testing.T) {
	f := Request(MAC{0x02, 0x48, 0x4c, 0, 0, 0x11}, netip.MustParseAddr("198.18.0.11"), netip.MustParseAddr("198.18.0.200"))
	got := f.Marshal()
	if want := unhex(t, requestHex); !bytes.Equal(got, want) {
		t.Fatalf("request\n got %x\nwant %x", got, want)
	}
	if len(got) != FrameLen {
		t.Fatalf("length %d", len(got))
	}
}

func TestParseReply(t *testing.T) {
	f, err := Parse(unhex(t, replyHex))
	if err != nil {
		t.Fatal(err)
	}
	want := Frame{
		Dst: MAC{0x02, 0x48, 0x4c, 0, 0, 0x11}, Src: MAC{0x02, 0x48, 0x4c, 0, 0, 0x12}, Op: OpReply,
		SenderMAC: MAC{0x02, 0x48, 0x4c, 0, 0, 0x12}, SenderIP: netip.MustParseAddr("198.18.0.200"),
		TargetMAC: MAC{0x02, 0x48, 0x4c, 0, 0, 0x11}, TargetIP: netip.MustParseAddr("198.18.0.11"),
	}
	if f != want {
		t.Fatalf("parsed %+v\nwant   %+v", f, want)
	}
	if f.Gratuitous() {
		t.Fatal("a reply to a request is not gratuitous")
	}
	if f.SenderMAC.String() != "02:48:4c:00:00:12" {
		t.Fatalf("MAC string %s", f.SenderMAC)
	}
}

func TestRoundTrip(t *testing.T) {
	f := Frame{Dst: Broadcast, Src: MAC{2, 0xbb, 0, 0, 1, 2}, Op: OpReply, SenderMAC: MAC{2, 0xbb, 0, 0, 1, 2},
		SenderIP: netip.MustParseAddr("198.18.0.200"), TargetMAC: Broadcast, TargetIP: netip.MustParseAddr("198.18.0.200")}
	g, err := Parse(f.Marshal())
	if err != nil || g != f {
		t.Fatalf("round trip: %+v %v", g, err)
	}
	if !g.Gratuitous() {
		t.Fatal("sender IP == target IP is gratuitous")
	}
}

func TestParseRejects(t *testing.T) {
	good := unhex(t, requestHex)
	mutate := func(i int, v byte) []byte { b := bytes.Clone(good); b[i] = v; return b }
	for name, c := range map[string]struct {
		b   []byte
		err error
	}{
		"short":         {good[:41], ErrShort},
		"IPv4 frame":    {mutate(13, 0x00), ErrNotARP},
		"token ring hw": {mutate(15, 6), ErrNotIPv4},
		"IPv6 proto":    {mutate(16, 0x86), ErrNotIPv4},
		"hw len 8":      {mutate(18, 8), ErrNotIPv4},
		"proto len 16":  {mutate(19, 16), ErrNotIPv4},
	} {
		if _, err := Parse(c.b); !errors.Is(err, c.err) {
			t.Errorf("%s: got %v, want %v", name, err, c.err)
		}
	}
}

// A Linux kernel's reply as tcpdump -xx showed it on a veth (42 bytes: veth does not pad):
// 198.18.77.2 is-at 02:77:00:00:00:02, to 198.18.77.1 at 02:77:00:00:00:01.
const kernelReplyHex = "0277 0000 0001 0277 0000 0002 0806 0001" +
	"0800 0604 0002 0277 0000 0002 c612 4d02" +
	"0277 0000 0001 c612 4d01"

func TestParseKernelReply(t *testing.T) {
	b := unhex(t, kernelReplyHex)
	f, err := Parse(b)
	if err != nil {
		t.Fatal(err)
	}
	owner, asker := MAC{2, 0x77, 0, 0, 0, 2}, MAC{2, 0x77, 0, 0, 0, 1}
	want := Frame{Dst: asker, Src: owner, Op: OpReply, SenderMAC: owner, SenderIP: netip.MustParseAddr("198.18.77.2"),
		TargetMAC: asker, TargetIP: netip.MustParseAddr("198.18.77.1")}
	if f != want {
		t.Fatalf("parsed %+v\nwant   %+v", f, want)
	}
	if !bytes.Equal(f.Marshal(), b) {
		t.Fatalf("re-marshalled %x", f.Marshal())
	}
}
