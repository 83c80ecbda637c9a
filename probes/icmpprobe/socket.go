package icmpprobe

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"sync"
	"time"

	"golang.org/x/net/icmp"
	"golang.org/x/net/ipv4"
	"golang.org/x/net/ipv6"
)

// socket is one ICMP socket of one family shared by every probe of a
// Prober: probes send echo requests through it and one reader goroutine
// hands each reply to the probe waiting for its sequence number.
type socket struct {
	conn       net.PacketConn
	v6         bool
	privileged bool
	id         int // the echo identifier; the kernel replaces it on unprivileged sockets
	done       chan struct{}

	mu      sync.Mutex
	next    uint16
	pending map[uint16]*pending
}

// pending is an echo request waiting for its reply.
type pending struct {
	token uint64 // the probe's random token, echoed in the payload
	sent  time.Time
	seq   int // the probe's own count, 0 to Count-1
	ch    chan<- reply
}

type reply struct {
	seq int
	rtt time.Duration
}

// payloadLen is the echo payload: the probe's token and its sequence.
const payloadLen = 16

func listen(v6, privileged bool, id int) (*socket, error) {
	conn, err := listenConn(v6, privileged)
	if err != nil {
		kind := map[bool]string{true: "raw", false: "ping"}[privileged]
		return nil, fmt.Errorf("listen %s icmp%s: %w", kind, map[bool]string{true: "v6", false: "v4"}[v6], err)
	}
	s := &socket{conn: conn, v6: v6, privileged: privileged, id: id, done: make(chan struct{}),
		pending: make(map[uint16]*pending)}
	go s.read()
	return s, nil
}

// close stops the socket and waits for its reader to end.
func (s *socket) close() error {
	err := s.conn.Close()
	<-s.done
	return err
}

// send writes one echo request to dst and registers p for its reply. It
// returns the wire sequence number, for cancel.
func (s *socket) send(dst net.IP, p *pending) (uint16, error) {
	s.mu.Lock()
	seq, ok := s.reserve(p)
	s.mu.Unlock()
	if !ok {
		return 0, errors.New("send echo: 65536 requests in flight")
	}
	var typ icmp.Type = ipv4.ICMPTypeEcho
	if s.v6 {
		typ = ipv6.ICMPTypeEchoRequest
	}
	data := make([]byte, payloadLen)
	binary.BigEndian.PutUint64(data, p.token)
	binary.BigEndian.PutUint64(data[8:], uint64(p.seq))
	msg := icmp.Message{Type: typ, Body: &icmp.Echo{ID: s.id, Seq: int(seq), Data: data}}
	b, err := msg.Marshal(nil) // the kernel sums ICMPv6 (and ping sockets') checksums
	if err != nil {
		s.cancel(seq)
		return 0, fmt.Errorf("marshal echo: %w", err)
	}
	var addr net.Addr = &net.UDPAddr{IP: dst}
	if s.privileged {
		addr = &net.IPAddr{IP: dst}
	}
	s.mu.Lock()
	p.sent = time.Now()
	s.mu.Unlock()
	if _, err := s.conn.WriteTo(b, addr); err != nil {
		s.cancel(seq)
		return 0, err
	}
	return seq, nil
}

// reserve takes the next free wire sequence number for p; s.mu is held.
func (s *socket) reserve(p *pending) (uint16, bool) {
	for range 1 << 16 {
		seq := s.next
		s.next++
		if _, busy := s.pending[seq]; !busy {
			s.pending[seq] = p
			return seq, true
		}
	}
	return 0, false
}

// cancel forgets a request whose reply is no longer awaited.
func (s *socket) cancel(seq uint16) {
	s.mu.Lock()
	delete(s.pending, seq)
	s.mu.Unlock()
}

func (s *socket) read() {
	defer close(s.done)
	proto, replyType := 1, icmp.Type(ipv4.ICMPTypeEchoReply)
	if s.v6 {
		proto, replyType = 58, ipv6.ICMPTypeEchoReply
	}
	buf := make([]byte, 1500)
	for {
		n, _, err := s.conn.ReadFrom(buf)
		now := time.Now()
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			continue // a transient error (an ICMP error queued on the socket); keep reading
		}
		msg, err := icmp.ParseMessage(proto, buf[:n])
		if err != nil || msg.Type != replyType {
			continue // a raw socket sees every ICMP message of the host
		}
		echo, ok := msg.Body.(*icmp.Echo)
		if !ok || len(echo.Data) < payloadLen || s.privileged && echo.ID != s.id {
			continue
		}
		s.deliver(uint16(echo.Seq), binary.BigEndian.Uint64(echo.Data), now)
	}
}

func (s *socket) deliver(seq uint16, token uint64, at time.Time) {
	s.mu.Lock()
	p, ok := s.pending[seq]
	if ok && p.token == token {
		delete(s.pending, seq)
	}
	s.mu.Unlock()
	if !ok || p.token != token {
		return // another process's reply, or one that came too late
	}
	select {
	case p.ch <- reply{seq: p.seq, rtt: at.Sub(p.sent)}:
	default: // cannot happen: the channel holds Count replies
	}
}
