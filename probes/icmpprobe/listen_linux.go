package icmpprobe

import (
	"fmt"
	"net"
	"os"
	"syscall"
	"unsafe"
)

// readBuffer is the receive buffer asked for each shared socket (the kernel
// caps it at net.core.rmem_max): a burst of replies to a thousand probes
// must not overflow it.
const readBuffer = 4 << 20

// listenConn opens a raw (privileged) or ping (unprivileged) ICMP socket of
// one family. A raw socket sees every ICMP message the host receives; a
// kernel filter keeps only echo replies.
func listenConn(v6, privileged bool) (net.PacketConn, error) {
	var (
		conn net.PacketConn
		err  error
	)
	switch {
	case privileged && v6:
		conn, err = net.ListenPacket("ip6:ipv6-icmp", "::")
	case privileged:
		conn, err = net.ListenPacket("ip4:icmp", "0.0.0.0")
	default:
		conn, err = pingSocket(v6)
	}
	if err != nil {
		return nil, err
	}
	if err := tune(conn, v6, privileged); err != nil {
		return nil, fmt.Errorf("%w (closing: %v)", err, conn.Close())
	}
	return conn, nil
}

// pingSocket opens a Linux ping socket (SOCK_DGRAM, IPPROTO_ICMP[V6]); the
// kernel sets the echo identifier to the socket's port and delivers only
// its replies.
func pingSocket(v6 bool) (net.PacketConn, error) {
	family, proto := syscall.AF_INET, syscall.IPPROTO_ICMP
	var sa syscall.Sockaddr = &syscall.SockaddrInet4{}
	if v6 {
		family, proto, sa = syscall.AF_INET6, syscall.IPPROTO_ICMPV6, &syscall.SockaddrInet6{}
	}
	fd, err := syscall.Socket(family, syscall.SOCK_DGRAM|syscall.SOCK_CLOEXEC, proto)
	if err != nil {
		return nil, os.NewSyscallError("socket", err)
	}
	if err := syscall.Bind(fd, sa); err != nil {
		_ = syscall.Close(fd) // the bind error is the one to report
		return nil, os.NewSyscallError("bind", err)
	}
	f := os.NewFile(uintptr(fd), "icmp")
	conn, err := net.FilePacketConn(f)
	if cerr := f.Close(); err == nil && cerr != nil {
		err = cerr
	}
	if err != nil {
		return nil, fmt.Errorf("ping socket: %w", err)
	}
	return conn, nil
}

type buffered interface {
	SetReadBuffer(int) error
	SyscallConn() (syscall.RawConn, error)
}

func tune(conn net.PacketConn, v6, privileged bool) error {
	c, ok := conn.(buffered)
	if !ok {
		return nil
	}
	if err := c.SetReadBuffer(readBuffer); err != nil {
		return fmt.Errorf("set receive buffer: %w", err)
	}
	if !privileged {
		return nil
	}
	raw, err := c.SyscallConn()
	if err != nil {
		return fmt.Errorf("raw conn: %w", err)
	}
	var serr error
	err = raw.Control(func(fd uintptr) {
		if v6 {
			// struct icmp6_filter: a set bit blocks the type; pass 129 only.
			var filter [8]uint32
			for i := range filter {
				filter[i] = ^uint32(0)
			}
			filter[129>>5] &^= 1 << (129 & 31)
			serr = setsockopt(int(fd), syscall.IPPROTO_ICMPV6, 1 /* ICMP6_FILTER */, unsafe.Pointer(&filter), 32)
			return
		}
		// ICMP_FILTER on SOL_RAW: a set bit blocks the type; pass 0 (echo reply) only.
		mask := ^uint32(1)
		serr = setsockopt(int(fd), 255 /* SOL_RAW */, 1 /* ICMP_FILTER */, unsafe.Pointer(&mask), 4)
	})
	if err == nil {
		err = serr
	}
	if err != nil {
		return fmt.Errorf("set icmp filter: %w", err)
	}
	return nil
}

func setsockopt(fd, level, name int, val unsafe.Pointer, size uintptr) error {
	_, _, e := syscall.Syscall6(syscall.SYS_SETSOCKOPT, uintptr(fd), uintptr(level), uintptr(name), uintptr(val), size, 0)
	if e != 0 {
		return os.NewSyscallError("setsockopt", e)
	}
	return nil
}
