// Package arp is what the lab's ARP tools (arpwatch, arpbench) share: building and parsing
// Ethernet frames that carry an ARP packet for IPv4 (this file, pure), and an AF_PACKET socket
// bound to one interface (socket_linux.go).
package arp

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net/netip"
)

const (
	EtherTypeARP  = 0x0806
	etherTypeIPv4 = 0x0800
	hwTypeEther   = 1

	// FrameLen is an Ethernet header (14 bytes) plus an Ethernet/IPv4 ARP packet (28 bytes).
	// Frames are built without the padding to 60 bytes: the driver (or veth, which needs none)
	// pads on the wire, as it does for the kernel's own ARP frames.
	FrameLen = 42

	OpRequest = 1
	OpReply   = 2
)

// MAC is an Ethernet address.
type MAC [6]byte

// Broadcast is ff:ff:ff:ff:ff:ff.
var Broadcast = MAC{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}

func (m MAC) String() string {
	return fmt.Sprintf("%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5])
}

// Frame is an Ethernet frame carrying an Ethernet/IPv4 ARP packet.
type Frame struct {
	Dst, Src  MAC // Ethernet header
	Op        uint16
	SenderMAC MAC
	SenderIP  netip.Addr // IPv4
	TargetMAC MAC
	TargetIP  netip.Addr // IPv4
}

// Request is a broadcast "who has target, tell srcIP" from src, the form a host sends to resolve
// an address (target hardware address all zero).
func Request(src MAC, srcIP, target netip.Addr) Frame {
	return Frame{Dst: Broadcast, Src: src, Op: OpRequest, SenderMAC: src, SenderIP: srcIP, TargetIP: target}
}

// Gratuitous reports whether the frame announces its sender's own address: sender and target
// protocol addresses are equal (RFC 5227's announcement form, request or reply).
func (f Frame) Gratuitous() bool { return f.SenderIP == f.TargetIP }

// Append appends the FrameLen bytes of f to b. Addresses that are not IPv4 are written as 0.0.0.0.
func (f Frame) Append(b []byte) []byte {
	b = append(b, f.Dst[:]...)
	b = append(b, f.Src[:]...)
	b = binary.BigEndian.AppendUint16(b, EtherTypeARP)
	b = binary.BigEndian.AppendUint16(b, hwTypeEther)
	b = binary.BigEndian.AppendUint16(b, etherTypeIPv4)
	b = append(b, 6, 4)
	b = binary.BigEndian.AppendUint16(b, f.Op)
	b = append(b, f.SenderMAC[:]...)
	b = appendIPv4(b, f.SenderIP)
	b = append(b, f.TargetMAC[:]...)
	b = appendIPv4(b, f.TargetIP)
	return b
}

// Marshal returns the FrameLen bytes of f.
func (f Frame) Marshal() []byte { return f.Append(make([]byte, 0, FrameLen)) }

func appendIPv4(b []byte, a netip.Addr) []byte {
	if !a.Is4() {
		return append(b, 0, 0, 0, 0)
	}
	v := a.As4()
	return append(b, v[:]...)
}

var (
	ErrShort   = errors.New("frame shorter than an Ethernet ARP frame")
	ErrNotARP  = errors.New("not an ARP frame")
	ErrNotIPv4 = errors.New("not an Ethernet/IPv4 ARP packet")
)

// Parse reads an Ethernet frame (as an AF_PACKET SOCK_RAW socket delivers it: no VLAN tag, no
// FCS) carrying an Ethernet/IPv4 ARP packet. Bytes after the ARP packet (padding) are ignored.
func Parse(b []byte) (Frame, error) {
	var f Frame
	if len(b) < FrameLen {
		return f, ErrShort
	}
	if binary.BigEndian.Uint16(b[12:14]) != EtherTypeARP {
		return f, ErrNotARP
	}
	p := b[14:]
	if binary.BigEndian.Uint16(p[0:2]) != hwTypeEther || binary.BigEndian.Uint16(p[2:4]) != etherTypeIPv4 ||
		p[4] != 6 || p[5] != 4 {
		return f, ErrNotIPv4
	}
	copy(f.Dst[:], b[0:6])
	copy(f.Src[:], b[6:12])
	f.Op = binary.BigEndian.Uint16(p[6:8])
	copy(f.SenderMAC[:], p[8:14])
	f.SenderIP = netip.AddrFrom4([4]byte(p[14:18]))
	copy(f.TargetMAC[:], p[18:24])
	f.TargetIP = netip.AddrFrom4([4]byte(p[24:28]))
	return f, nil
}
