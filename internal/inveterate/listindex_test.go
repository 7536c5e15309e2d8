package inveterate

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"testing"

	"github.com/webhookinfra/terraform-provider-webhooks/internal/httpclient"
)

// readAnswer reads body's envelope as a watch does: an answer without data is no list.
func readAnswer(body []byte) (*indexAnswer, error) {
	var answer indexAnswer
	if err := answer.DecodeBody(body); err != nil {
		return nil, err
	}
	return &answer, answer.Validate()
}

// readIndex reads body as a watch does: the envelope, then the index of its list.
func readIndex(body []byte) ([]listedRecord, error) {
	answer, err := readAnswer(body)
	if err != nil {
		return nil, err
	}
	return answer.records()
}

// referenceIndex is the index of body read without the scanner: the envelope and its list as the
// index finds them, each record split off by encoding/json, its id read by encoding/json
// (recordIDReference), and an error where a record is no object or has no id.
func referenceIndex(body []byte) ([]listedRecord, error) {
	answer, err := readAnswer(body)
	if err != nil {
		return nil, err
	}
	array, err := listArray(answer.env.Data)
	if err != nil || array == nil {
		return nil, err
	}
	var raws []json.RawMessage
	if err := json.Unmarshal(array, &raws); err != nil {
		return nil, err
	}
	var out []listedRecord
	for i, raw := range raws {
		id, err := recordIDReference(raw)
		if err == nil && (raw[0] != '{' || id == "") {
			err = errors.New("no object, or no id")
		}
		if err != nil {
			return nil, fmt.Errorf("record %d: %w", i, err)
		}
		out = append(out, listedRecord{id: id, raw: raw})
	}
	return out, nil
}

// sameIndex fails t unless the index of body is the reference index (referenceIndex: the same
// records, ids and bytes, or an error on both sides) and agrees with the list decoded in full
// (decodeAnswer): where the full reading has records, each record of the index decodes to the same
// record; where the index errs, so does the full reading; and where only the full reading errs, one
// of the index's records does not decode.
func sameIndex[W, T any](t *testing.T, body []byte, record func(*W) T) {
	t.Helper()
	index, indexErr := readIndex(body)
	reference, referenceErr := referenceIndex(body)
	if (indexErr == nil) != (referenceErr == nil) {
		t.Fatalf("body %s: the index gives %v, the reference %v", body, indexErr, referenceErr)
	}
	if len(index) != len(reference) {
		t.Fatalf("body %s: %d records in the index, %d in the reference", body, len(index), len(reference))
	}
	for i := range index {
		if index[i].id != reference[i].id || !bytes.Equal(index[i].raw, reference[i].raw) {
			t.Fatalf("body %s, record %d: index %q %s, reference %q %s", body, i, index[i].id, index[i].raw, reference[i].id, reference[i].raw)
		}
	}

	full, fullErr := decodeAnswer(body, record)
	switch {
	case indexErr != nil && fullErr == nil:
		t.Fatalf("%T, body %s: the index errs (%v), the full reading has %+v", full, body, indexErr, full)
	case indexErr != nil:
		return
	case fullErr == nil:
		if len(index) != len(full) {
			t.Fatalf("%T, body %s: %d records in the index, %d in the full reading", full, body, len(index), len(full))
		}
		for i := range index {
			got, err := decodeListed(&index[i], record)
			if err != nil || index[i].id != reflect.ValueOf(full[i]).FieldByName("ID").String() || !reflect.DeepEqual(*got, full[i]) {
				t.Fatalf("%T, body %s, record %d: index %q %s gives %+v, %v; full reading %+v", full, body, i, index[i].id, index[i].raw, got, err, full[i])
			}
		}
	default:
		for i := range index {
			if _, err := decodeListed(&index[i], record); err != nil {
				return
			}
		}
		t.Fatalf("%T, body %s: the full reading errs (%v), every record of the index decodes", full, body, fullErr)
	}
}

// FuzzListIndexReadsAsTheList: a watch reads every answer to a list as the client's full reading
// does (sameIndex), for either kind of record.
func FuzzListIndexReadsAsTheList(f *testing.F) {
	for _, body := range append(listAnswerSeeds(),
		`{"message":"ok","data":{"items":null}}`,
		`{"message":"ok","data":[{"Id":"a","topic":"t.x"},{"iD":"b","topic":"t.x"}]}`,
		`{"message":"ok","data":[{"id":"a","ID":"b","topic":"t.x"}]}`,
		`{"message":"ok","data":[{"id":"a","id":null,"topic":"t.x"}]}`,
		`{"message":"ok","data":[{"id":null,"topic":"t.x"}]}`,
		`{"message":"ok","data":[{"i\u0064":"a\n\u00e9\"","topic":"t.x"}]}`,
		`{"message":"ok","data":[{"\u0130d":"a","topic":"t.x"},{"\u0131d":"b","topic":"t.x"},{"\u212ad":"c"}]}`,
		`{"message":"ok","data":[{"x":{"id":"in"},"y":["]","}",{"id":"z"}],"id":"out","topic":"t.x"}]}`,
		`{"message":"ok","data":[ { "id" : "a" , "topic" : "t.x" } , {"id":"b","topic":"t.y","n":-1.5e3,"t":true,"f":false} ]}`,
		`{"message":"ok","data":[{"id":"\ud800","topic":"t.x"},{"id":"`+"\xff"+`","topic":"t.x"}]}`,
		`{"message":"ok","data":[{"id":"a","topic":"t.x"},{"id":"a","topic":"t.y"}]}`,
		`{"message":"ok","data":[{"id":"","topic":"t.x"}]}`,
		`{"message":"ok","data":[{"id":[],"topic":"t.x"}]}`,
		`{"message":"ok","data":[1,"a",[]]}`,
		`{"message":"ok","data":"[]"}`,
		// The envelope, which DecodeBody reads in one pass (sameEnvelope).
		`{"DATA":[{"id":"a","topic":"t.x"}],"Message":"ok"}`,
		`{"message":"a","message":null,"data":[]}`,
		`{"message":null}`,
		`{"d\u0061ta":[{"id":"a"}],"data":[]}`,
		`{"me\u017f\u017fage":"x","data":[]}`,
		"{\"meſſage\":\"x\",\"data\":[]}",
		` { "data" : [ ] , "message" : "m\n" } `,
		`{"message":"a\u00e9","data":-1.5e3}`,
		`{"message":true,"data":[]}`,
		`{"message":{},"data":[]}`,
		`{"data":[],"x":{"data":[1]},"y":["data"]}`,
	) {
		f.Add([]byte(body))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		if !json.Valid(body) {
			return // httpclient does not decode what is not JSON
		}
		sameEnvelope(t, body)
		sameIndex(t, body, (*subscriptionWire).subscription)
		sameIndex(t, body, (*webhookWire).webhook)
	})
}

// sameEnvelope fails t unless indexAnswer reads body's envelope as json.Unmarshal does: the same
// message and data bytes, or an error on both sides.
func sameEnvelope(t *testing.T, body []byte) {
	t.Helper()
	var want envelope
	wantErr := json.Unmarshal(body, &want)
	var got indexAnswer
	gotErr := got.DecodeBody(body)
	if (gotErr == nil) != (wantErr == nil) || gotErr == nil && (got.env.Message != want.Message || !bytes.Equal(got.env.Data, want.Data)) {
		t.Fatalf("body %s: DecodeBody %q %s, %v; json.Unmarshal %q %s, %v", body, got.env.Message, got.env.Data, gotErr, want.Message, want.Data, wantErr)
	}
}

// recordIDReference is a record's id as encoding/json reads it: the reference recordID must match.
func recordIDReference(record []byte) (string, error) {
	var r struct {
		ID string `json:"id"`
	}
	err := json.Unmarshal(record, &r)
	return r.ID, err
}

// FuzzRecordIDReadsAsEncodingJSON: recordID reads the id of any well-formed object as
// encoding/json does, and errs where it errs over the id (a value that is no string).
func FuzzRecordIDReadsAsEncodingJSON(f *testing.F) {
	for _, record := range []string{
		`{"id":"a"}`, `{"ID":"a"}`, `{"iD":"a","Id":"b"}`, `{"id":"a","id":null}`, `{"id":null}`,
		`{"i\u0064":"x"}`, `{"\u0130d":"x"}`, `{"\u0131d":"x"}`, `{"id":"\u00e9\\\"\u2028"}`,
		`{"id":"` + "\xff\xfe" + `"}`, `{"id":1}`, `{"id":true}`, `{"id":{}}`, `{"id":[]}`,
		`{"a":{"id":"no"},"b":["\"]}",1,{}],"id":"yes"}`, ` { "id" : "s" } `, `{}`, `{"idx":"a","xid":"b"}`,
	} {
		f.Add([]byte(record))
	}
	f.Fuzz(func(t *testing.T, record []byte) {
		trimmed := bytes.TrimSpace(record)
		var object map[string]json.RawMessage
		if json.Unmarshal(trimmed, &object) != nil || trimmed[0] != '{' {
			return // the index reads only well-formed objects (indexRecords rejects any other record)
		}
		got, end, gotErr := recordID(trimmed, 0)
		want, wantErr := recordIDReference(trimmed)
		if (gotErr == nil) != (wantErr == nil) || (gotErr == nil && (got != want || end != len(trimmed))) {
			t.Fatalf("%s: recordID %q (ending at %d of %d), %v; encoding/json %q, %v", record, got, end, len(trimmed), gotErr, want, wantErr)
		}
	})
}

// A watch takes the records it waits for from an index: a record nobody waits for need not be
// complete, but the one a wait takes must be, and a record without an id makes the list unreadable,
// as it does when the list is decoded in full.
func TestListIndexChecksTheRecordsItIsAskedFor(t *testing.T) {
	index, err := readIndex([]byte(`{"message":"ok","data":[{"id":"a","topic":"t.x","name":"n"},{"id":"b"}]}`))
	if err != nil || len(index) != 2 || index[0].id != "a" || index[1].id != "b" {
		t.Fatalf("index %+v, %v; want a and b", index, err)
	}
	if got, err := decodeListed(&index[0], (*subscriptionWire).subscription); err != nil || got.ID != "a" || got.Topic != "t.x" || got.Name != "n" {
		t.Errorf("record a: %+v, %v", got, err)
	}
	if got, err := decodeListed(&index[1], (*subscriptionWire).subscription); !errors.Is(err, httpclient.ErrServer) {
		t.Errorf("record b, without a topic: %+v, %v; want an unreadable record", got, err)
	}
	for _, body := range []string{
		`{"data":[{"id":"a","topic":"t.x"},{"topic":"t.x"}]}`,
		`{"data":[{"id":"a","topic":"t.x"},{"id":7}]}`,
		`{"data":[{"id":"a","topic":"t.x"},null]}`,
		`{"data":{"items":[],"more":[]}}`,
	} {
		if got, err := readIndex([]byte(body)); !errors.Is(err, httpclient.ErrServer) {
			t.Errorf("%s: %+v, %v; want an unreadable list", body, got, err)
		}
	}
}

// BenchmarkListIndex2000 reads the answer of BenchmarkListAnswer2000 as a watch does: an index, and
// one record decoded in full.
func BenchmarkListIndex2000(b *testing.B) {
	body := listBody(2000)
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		index, err := readIndex(body)
		if err != nil || len(index) != 2000 {
			b.Fatalf("%d records, %v", len(index), err)
		}
		if _, err := decodeListed(&index[1000], (*subscriptionWire).subscription); err != nil {
			b.Fatal(err)
		}
	}
}
