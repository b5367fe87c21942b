package issuer

import (
	"container/heap"
	"sync"
	"time"

	"github.com/jwtkit/jwtkit/internal/failure"
)

// Replay cache outcomes.
var (
	errReplayed   error = failure.Sentinel("jti already used")
	errReplayFull error = failure.Sentinel("replay cache full")
)

// replayCache remembers the jti of every accepted client assertion until the assertion expires,
// so that a captured assertion cannot be used twice. It holds at most capacity entries; when it
// is full of unexpired entries it refuses new ones rather than forget one (forgetting would let
// a client that floods the cache replay another client's assertion).
type replayCache struct {
	mu       sync.Mutex
	capacity int
	seen     map[string]time.Time
	byExpiry expiryHeap
}

func newReplayCache(capacity int) *replayCache {
	return &replayCache{capacity: capacity, seen: make(map[string]time.Time)}
}

// add records key until exp. It fails with errReplayed when key is already recorded and not
// yet expired at now, and with errReplayFull when there is no room.
func (c *replayCache) add(key string, exp, now time.Time) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	for len(c.byExpiry) > 0 && !c.byExpiry[0].exp.After(now) {
		e := heap.Pop(&c.byExpiry).(expiryEntry)
		if c.seen[e.key].Equal(e.exp) {
			delete(c.seen, e.key)
		}
	}
	if until, ok := c.seen[key]; ok && until.After(now) {
		return errReplayed
	}
	if len(c.seen) >= c.capacity {
		return errReplayFull
	}
	c.seen[key] = exp
	heap.Push(&c.byExpiry, expiryEntry{key: key, exp: exp})
	return nil
}

// len returns the number of remembered entries.
func (c *replayCache) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.seen)
}

type expiryEntry struct {
	key string
	exp time.Time
}

// expiryHeap is a min-heap of entries by expiry.
type expiryHeap []expiryEntry

func (h expiryHeap) Len() int           { return len(h) }
func (h expiryHeap) Less(i, j int) bool { return h[i].exp.Before(h[j].exp) }
func (h expiryHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *expiryHeap) Push(x any)        { *h = append(*h, x.(expiryEntry)) }
func (h *expiryHeap) Pop() any {
	old := *h
	e := old[len(old)-1]
	*h = old[:len(old)-1]
	return e
}
