package agent

import (
	"sync"
	"time"

	"github.com/statusd/statusd/catalog"
)

// job is one run of one check at one tick.
type job struct {
	e     *entry
	check catalog.Check // the definition at dispatch time
	tick  time.Time
}

// maxIdleQueue is the largest queue capacity an empty pool keeps.
const maxIdleQueue = 1024

// pool is the run queue of one probe type, drained by a fixed number of
// workers. The queue needs no bound of its own: a check has at most one run
// queued or running, so it never holds more jobs than there are checks.
type pool struct {
	mu     sync.Mutex
	cond   *sync.Cond
	queue  []job
	head   int // queue[head:] are pending
	closed bool
}

func newPool() *pool {
	p := &pool{}
	p.cond = sync.NewCond(&p.mu)
	return p
}

// push queues j for the next free worker.
func (p *pool) push(j job) {
	p.mu.Lock()
	if p.head > 0 && p.head >= len(p.queue)/2 { // reclaim the consumed front
		n := copy(p.queue, p.queue[p.head:])
		clear(p.queue[n:])
		p.queue, p.head = p.queue[:n], 0
	}
	p.queue = append(p.queue, j)
	p.mu.Unlock()
	p.cond.Signal()
}

// pop waits for a job; ok is false once the pool is closed.
func (p *pool) pop() (j job, ok bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for p.head == len(p.queue) && !p.closed {
		p.cond.Wait()
	}
	if p.closed {
		return job{}, false
	}
	j = p.queue[p.head]
	p.queue[p.head] = job{}
	p.head++
	if p.head == len(p.queue) {
		p.queue, p.head = p.queue[:0], 0
		if cap(p.queue) > maxIdleQueue { // let a burst's backlog go
			p.queue = nil
		}
	}
	return j, true
}

// len returns how many jobs are queued and not yet taken by a worker.
func (p *pool) len() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.queue) - p.head
}

// close stops the workers after their current job and returns how many
// queued jobs were dropped.
func (p *pool) close() (dropped int) {
	p.mu.Lock()
	dropped = len(p.queue) - p.head
	p.queue, p.head, p.closed = nil, 0, true
	p.mu.Unlock()
	p.cond.Broadcast()
	return dropped
}
