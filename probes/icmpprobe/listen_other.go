//go:build !linux

package icmpprobe

import (
	"errors"
	"net"
)

func listenConn(v6, privileged bool) (net.PacketConn, error) {
	if !privileged {
		return nil, errors.New("unprivileged ICMP sockets are supported on Linux only")
	}
	if v6 {
		return net.ListenPacket("ip6:ipv6-icmp", "::")
	}
	return net.ListenPacket("ip4:icmp", "0.0.0.0")
}
