// Package readcap reads a response body through a cap, with a buffer sized
// from the announced length, so that a huge or endless body costs no more
// than the cap.
package readcap

import (
	"bytes"
	"io"
)

// Read reads at most limit bytes of r and reports whether there was more;
// size is the announced length, or -1. A body announced over limit is read
// only as far as keep. The buffer is the announced size, or doubles up to
// limit/8 and then jumps to limit: at most about limit.
func Read(r io.Reader, limit, size, keep int64) ([]byte, bool, error) {
	if size > limit {
		buf, _, err := fill(r, make([]byte, 0, min(limit, keep)))
		return buf, true, err
	}
	c := int64(bytes.MinRead)
	if size >= 0 {
		c = size + 1 // the spare byte lets the end be seen without growing
	}
	buf := make([]byte, 0, min(c, limit+1))
	for {
		var done bool
		var err error
		if buf, done, err = fill(r, buf); done || err != nil {
			return buf, false, err
		}
		if int64(len(buf)) > limit {
			return buf[:limit], true, nil
		}
		next := 2 * int64(cap(buf))
		if next > max(limit/8, 64<<10) {
			next = limit + 1
		}
		buf = append(make([]byte, 0, min(next, limit+1)), buf...)
	}
}

// fill reads r into buf's free room until it is full or r ends (reported);
// a reader returning nothing 100 times is an io.ErrNoProgress.
func fill(r io.Reader, buf []byte) ([]byte, bool, error) {
	for empty := 0; len(buf) < cap(buf) && empty < 100; {
		n, err := r.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err == io.EOF {
			return buf, true, nil
		}
		if err != nil {
			return buf, false, err
		}
		if empty++; n > 0 {
			empty = 0
		}
	}
	if len(buf) < cap(buf) {
		return buf, false, io.ErrNoProgress
	}
	return buf, false, nil
}
