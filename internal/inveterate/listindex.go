package inveterate

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/webhookinfra/terraform-provider-webhooks/internal/httpclient"
)

// A watch (watch.go) lists Inveterate's records for the few that its waits are for, and Inveterate
// answers with every record: at scale thousands of them, hundreds of times in one apply. A watch
// therefore reads a list as an index, each record's id beside its JSON, and decodes a record in full
// only when a wait takes it (decodeListed). The answer is checked to be JSON (json.Valid), then
// read by a small scanner: one pass for the envelope and one for the index, instead of every record
// decoded into strings and times: a third of the CPU, a fifth of the memory
// (BenchmarkListIndex2000 beside BenchmarkListAnswer2000).
//
// The index reads the list as decodeList does, its wrapped form included, and a record's id as
// encoding/json would (FuzzListIndexReadsAsTheList): a list the index reads is one decodeList reads
// too, but for records that nobody waits for, which are not checked to be complete.

// listedRecord is one record of a list as a watch reads it: its id, and its JSON, decoded once a wait
// takes it.
type listedRecord struct {
	id  string
	raw []byte
}

// listedID is the id of r, by which a watch finds it.
func listedID(r *listedRecord) string { return r.id }

// indexAnswer is the answer to a list, read as an index (httpclient.BodyDecoder): the envelope is
// decoded, its data kept as it came. An answer with no data member is no list (see listAnswer).
type indexAnswer struct {
	env envelope
}

// DecodeBody reads the envelope as json.Unmarshal would, in one pass over a body that json.Valid has
// checked, where json.Unmarshal makes two and copies the data: the last data member as it came,
// matched as encoding/json matches a member to a field, and the message, which must be a string or
// null. A body that is not JSON, or whose message is not a string, is rejected as listAnswer rejects
// it. What the pass does not read as encoding/json would for sure (a body that is no object, a
// member name with an escape or a byte that is not ASCII, a message of another kind) goes to
// json.Unmarshal, which decides, and gives the error.
func (a *indexAnswer) DecodeBody(body []byte) error {
	unmarshal := func() error { return json.Unmarshal(body, &a.env) }
	if !json.Valid(body) {
		return unmarshal()
	}
	i := skipSpace(body, 0)
	if body[i] != '{' {
		return unmarshal()
	}
	var env envelope
	for i = skipSpace(body, i+1); i < len(body) && body[i] == '"'; {
		nameEnd := skipString(body, i)
		name := body[i:nameEnd]
		i = skipSpace(body, skipSpace(body, nameEnd)+1) // past the colon
		valueEnd := skipValue(body, i)
		if !plain(name) {
			return unmarshal()
		}
		switch key := name[1 : len(name)-1]; {
		case bytes.EqualFold(key, []byte("data")):
			env.Data = body[i:valueEnd:valueEnd]
		case bytes.EqualFold(key, []byte("message")):
			switch body[i] {
			case '"':
				env.Message = unquote(body[i:valueEnd])
			case 'n': // null leaves the message as it was
			default:
				return unmarshal()
			}
		}
		i = skipSpace(body, valueEnd)
		if i < len(body) && body[i] == ',' {
			i = skipSpace(body, i+1)
		}
	}
	a.env = env
	return nil
}

// Validate rejects an answer without data (httpclient.Validator).
func (a *indexAnswer) Validate() error {
	if len(a.env.Data) == 0 {
		return errors.New("the answer has no data member, so it is not a list")
	}
	return nil
}

// records is the index of the answer's list: every record an object with an id that is a
// non-empty string.
func (a *indexAnswer) records() ([]listedRecord, error) {
	array, err := listArray(a.env.Data)
	if err != nil || array == nil {
		return nil, err
	}
	return indexRecords(array)
}

// listIndex fetches the list at path as an index.
func (c *Client) listIndex(path string) func(ctx context.Context) ([]listedRecord, error) {
	return func(ctx context.Context) ([]listedRecord, error) {
		var answer indexAnswer
		if _, err := c.http.Do(ctx, httpclient.Request{Method: http.MethodGet, Path: path, MustExist: true}, &answer); err != nil {
			return nil, err
		}
		records, err := answer.records()
		return records, onList(path, err)
	}
}

// decodeListed decodes a record of an index, through its wire form W, which record makes a T: it
// must be complete (httpclient.Validator), as every record of a list decoded in full must be.
func decodeListed[W, T any](r *listedRecord, record func(*W) T) (*T, error) {
	var out T
	if err := decodeVia(r.raw, &out, record); err != nil {
		return nil, errListRecord(strconv.Quote(r.id), err)
	}
	if v, ok := any(&out).(httpclient.Validator); ok {
		if err := v.Validate(); err != nil {
			return nil, errListRecord(strconv.Quote(r.id), err)
		}
	}
	return &out, nil
}

// indexRecords reads array, a JSON array that encoding/json has checked is well formed, as records:
// each must be an object whose id is a string, not empty. It reads each record once, taking its id
// as it passes the record's members.
func indexRecords(array []byte) ([]listedRecord, error) {
	var out []listedRecord
	i := skipSpace(array, 1)
	for n := 0; i < len(array) && array[i] != ']'; n++ {
		id, end, err := recordID(array, i)
		if err == nil && id == "" {
			err = errors.New("it has no id")
		}
		if err != nil {
			return nil, errListRecord(strconv.Itoa(n), err)
		}
		out = append(out, listedRecord{id: id, raw: array[i:end:end]})
		i = skipSpace(array, end)
		if i < len(array) && array[i] == ',' {
			i = skipSpace(array, i+1)
		}
	}
	return out, nil
}

// recordID reads the record that starts at b[i], a well-formed JSON value, and returns its id as
// encoding/json decodes it into a string field tagged "id", and the index just past the record. A
// member names the id if its name is "id" in any case (encoding/json v1 takes an exact match, else a
// match under Unicode simple folding, and only I and D fold to i and d); of several, the last one
// counts; a null leaves the id as it was, and any other value but a string is an error, as is a
// record that is no object.
func recordID(b []byte, i int) (id string, end int, err error) {
	if b[i] != '{' {
		return "", 0, errors.New("it is not an object")
	}
	i = skipSpace(b, i+1)
	for i < len(b) && b[i] == '"' {
		nameEnd := skipString(b, i)
		name := b[i:nameEnd]
		i = skipSpace(b, skipSpace(b, nameEnd)+1) // past the colon
		valueEnd := skipValue(b, i)
		if isIDName(name) {
			switch b[i] {
			case '"':
				id = unquote(b[i:valueEnd])
			case 'n': // null
			default:
				return "", 0, errors.New("its id is not a string")
			}
		}
		i = skipSpace(b, valueEnd)
		if i < len(b) && b[i] == ',' {
			i = skipSpace(b, i+1)
		}
	}
	return id, i + 1, nil // past the closing brace
}

// isIDName reports whether name, a JSON string with its quotes, names the id: "id" in any case, as
// encoding/json matches a member to a field (recordID). In a name of four bytes, b|0x20 is 'i' only
// for the bytes I and i, and 'd' only for D and d; a backslash or a byte of a multi-byte rune never
// passes, so an escape or a rune that is not ASCII cannot be mistaken for either letter.
func isIDName(name []byte) bool {
	if len(name) == 4 {
		return name[1]|0x20 == 'i' && name[2]|0x20 == 'd'
	}
	return !plain(name) && strings.EqualFold(unquote(name), "id")
}

// unquote is the text of s, a well-formed JSON string, as encoding/json decodes it.
func unquote(s []byte) string {
	if plain(s) {
		return string(s[1 : len(s)-1])
	}
	var out string
	_ = json.Unmarshal(s, &out) // s is well formed: it cannot fail
	return out
}

// plain reports whether the JSON string s reads as its bytes: no escape, nothing but ASCII.
func plain(s []byte) bool {
	for _, c := range s {
		if c == '\\' || c >= 0x80 {
			return false
		}
	}
	return true
}

// skipSpace returns the index of the first byte at or after i that is not JSON whitespace.
func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// skipString returns the index just past the well-formed JSON string that starts at i.
func skipString(b []byte, i int) int {
	for i++; i < len(b); i++ {
		switch b[i] {
		case '\\':
			i++ // the escaped byte; a \u escape's digits need no care
		case '"':
			return i + 1
		}
	}
	return i
}

// skipValue returns the index just past the well-formed JSON value that starts at i.
func skipValue(b []byte, i int) int {
	switch b[i] {
	case '"':
		return skipString(b, i)
	case '{', '[':
		depth := 0
		for i < len(b) {
			switch b[i] {
			case '"':
				i = skipString(b, i)
				continue
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return i + 1
				}
			}
			i++
		}
		return i
	default: // a number, true, false or null: none holds a delimiter or a space, so the first one ends it
		for ; i < len(b); i++ {
			switch b[i] {
			case ',', ']', '}', ' ', '\t', '\n', '\r':
				return i
			}
		}
		return i
	}
}
