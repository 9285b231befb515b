package arp

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"syscall"
	"time"
)

// Conn is an AF_PACKET SOCK_RAW socket bound to one interface for EtherType ARP: it sends whole
// Ethernet frames and receives every ARP frame the interface receives (needs CAP_NET_RAW).
type Conn struct {
	fd      int
	ifindex int
	Name    string
	MAC     MAC        // the interface's own hardware address
	IP      netip.Addr // the interface's first IPv4 address
	stamps  bool
}

func htons(v uint16) uint16 { return v<<8 | v>>8 }

// Open binds a socket to the interface named name, which must be Ethernet-like and have an
// IPv4 address.
func Open(name string) (*Conn, error) {
	ifi, err := net.InterfaceByName(name)
	if err != nil {
		return nil, fmt.Errorf("interface %s: %w", name, err)
	}
	if len(ifi.HardwareAddr) != 6 {
		return nil, fmt.Errorf("%s has no Ethernet address", name)
	}
	c := &Conn{fd: -1, ifindex: ifi.Index, Name: name, MAC: MAC(ifi.HardwareAddr)}
	addrs, err := ifi.Addrs()
	if err != nil {
		return nil, err
	}
	for _, a := range addrs {
		if n, ok := a.(*net.IPNet); ok && n.IP.To4() != nil {
			c.IP = netip.AddrFrom4([4]byte(n.IP.To4()))
			break
		}
	}
	if !c.IP.IsValid() {
		return nil, fmt.Errorf("%s has no IPv4 address", name)
	}
	fd, err := syscall.Socket(syscall.AF_PACKET, syscall.SOCK_RAW|syscall.SOCK_CLOEXEC, int(htons(EtherTypeARP)))
	if err != nil {
		return nil, fmt.Errorf("AF_PACKET socket: %w", err)
	}
	c.fd = fd
	if err := syscall.Bind(fd, &syscall.SockaddrLinklayer{Protocol: htons(EtherTypeARP), Ifindex: ifi.Index}); err != nil {
		c.Close()
		return nil, fmt.Errorf("bind to %s: %w", name, err)
	}
	// Room for a burst of frames while the reader is descheduled (the kernel doubles it).
	_ = syscall.SetsockoptInt(fd, syscall.SOL_SOCKET, syscall.SO_RCVBUF, 4<<20)
	return c, nil
}

// Promiscuous puts the interface in promiscuous mode for as long as the socket is open
// (PACKET_ADD_MEMBERSHIP PACKET_MR_PROMISC: the kernel counts the membership and drops it when
// the socket is closed, also when the process dies), so frames to other unicast MACs reach it.
func (c *Conn) Promiscuous() error {
	// struct packet_mreq { int mr_ifindex; unsigned short mr_type, mr_alen; unsigned char mr_address[8]; }
	mreq := make([]byte, 16)
	binary.NativeEndian.PutUint32(mreq[0:4], uint32(c.ifindex))
	binary.NativeEndian.PutUint16(mreq[4:6], syscall.PACKET_MR_PROMISC)
	if err := syscall.SetsockoptString(c.fd, syscall.SOL_PACKET, syscall.PACKET_ADD_MEMBERSHIP, string(mreq)); err != nil {
		return fmt.Errorf("promiscuous mode on %s: %w", c.Name, err)
	}
	return nil
}

// KernelTimestamps makes Recv report the time the kernel received each frame (SO_TIMESTAMPNS,
// CLOCK_REALTIME) rather than the time Recv returned.
func (c *Conn) KernelTimestamps() error {
	if err := syscall.SetsockoptInt(c.fd, syscall.SOL_SOCKET, syscall.SO_TIMESTAMPNS, 1); err != nil {
		return fmt.Errorf("SO_TIMESTAMPNS: %w", err)
	}
	c.stamps = true
	return nil
}

// SetReadTimeout bounds how long Recv blocks (SO_RCVTIMEO); it then returns ErrTimeout.
func (c *Conn) SetReadTimeout(d time.Duration) error {
	tv := syscall.NsecToTimeval(d.Nanoseconds())
	return syscall.SetsockoptTimeval(c.fd, syscall.SOL_SOCKET, syscall.SO_RCVTIMEO, &tv)
}

// ErrTimeout is returned by Recv when the read timeout passed without a frame.
var ErrTimeout = errors.New("receive timeout")

// Send transmits one whole Ethernet frame on the interface.
func (c *Conn) Send(frame []byte) error {
	to := &syscall.SockaddrLinklayer{Protocol: htons(EtherTypeARP), Ifindex: c.ifindex, Halen: 6}
	copy(to.Addr[:], frame[0:6])
	for {
		err := syscall.Sendto(c.fd, frame, 0, to)
		if err != syscall.EINTR {
			return err
		}
	}
}

// Recv reads one frame into buf. It reports whether the frame was one this host sent (the kernel
// shows a packet socket its own interface's outgoing frames too) and when it was received: the
// kernel's timestamp after KernelTimestamps, otherwise time.Now() once the read returned.
func (c *Conn) Recv(buf, oob []byte) (n int, outgoing bool, at time.Time, err error) {
	for {
		var oobn int
		var from syscall.Sockaddr
		n, oobn, _, from, err = syscall.Recvmsg(c.fd, buf, oob, 0)
		if err == syscall.EINTR {
			continue
		}
		if err == syscall.EAGAIN {
			return 0, false, time.Time{}, ErrTimeout
		}
		if err != nil {
			return 0, false, time.Time{}, err
		}
		at = time.Now()
		if c.stamps {
			if t, ok := kernelStamp(oob[:oobn]); ok {
				at = t
			}
		}
		if ll, ok := from.(*syscall.SockaddrLinklayer); ok {
			outgoing = ll.Pkttype == syscall.PACKET_OUTGOING
		}
		return n, outgoing, at, nil
	}
}

// OOBSize is enough control-message room for Recv's timestamp.
const OOBSize = 64

func kernelStamp(oob []byte) (time.Time, bool) {
	msgs, err := syscall.ParseSocketControlMessage(oob)
	if err != nil {
		return time.Time{}, false
	}
	for _, m := range msgs {
		// struct timespec on a 64-bit kernel ABI: two 64-bit words, seconds and nanoseconds.
		if m.Header.Level == syscall.SOL_SOCKET && m.Header.Type == syscall.SCM_TIMESTAMPNS && len(m.Data) >= 16 {
			sec := int64(binary.NativeEndian.Uint64(m.Data[0:8]))
			nsec := int64(binary.NativeEndian.Uint64(m.Data[8:16]))
			return time.Unix(sec, nsec), true
		}
	}
	return time.Time{}, false
}

// Close closes the socket (and so drops its promiscuous membership).
func (c *Conn) Close() error {
	if c.fd < 0 {
		return nil
	}
	err := syscall.Close(c.fd)
	c.fd = -1
	return err
}
