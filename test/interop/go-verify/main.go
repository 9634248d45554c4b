// Command go-verify checks the ledger's checkpoints and proofs with Go's
// golang.org/x/mod/sumdb/note and golang.org/x/mod/sumdb/tlog: code we did
// not write, the same packages the Go checksum database and the wider
// transparency-log ecosystem rely on. test/interop/go-note.int.spec.ts drives it.
//
// It exits 0 when the check passes, 1 when Go rejects the input (the reason
// on stderr), and 2 on a usage error.
package main

import (
	"bufio"
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"math"
	"os"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"unicode/utf16"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

func main() {
	if len(os.Args) < 2 {
		usage()
	}
	flags := flag.NewFlagSet(os.Args[1], flag.ExitOnError)
	var run func() error
	switch os.Args[1] {
	case "checkpoint":
		vkeys, notePath := flags.String("vkeys", "", "file of verifier keys, one per line"), flags.String("note", "", "signed checkpoint")
		run = func() error {
			cp, err := openCheckpoint(*notePath, *vkeys)
			if err != nil {
				return err
			}
			return json.NewEncoder(os.Stdout).Encode(map[string]any{"origin": cp.origin, "size": cp.size, "root": base64.StdEncoding.EncodeToString(cp.root[:])})
		}
	case "inclusion":
		vkeys, notePath := flags.String("vkeys", "", "file of verifier keys"), flags.String("note", "", "signed checkpoint")
		index, eventHash, proofPath := flags.Int64("index", -1, "leaf index"), flags.String("event-hash", "", "the event's hash, hex"), flags.String("proof", "", "audit path, one base64 hash a line")
		run = func() error {
			cp, err := openCheckpoint(*notePath, *vkeys)
			if err != nil {
				return err
			}
			data, err := hex.DecodeString(*eventHash)
			if err != nil || len(data) != tlog.HashSize {
				return errors.New("event hash must be 64 hex digits")
			}
			proof, err := readHashes(*proofPath)
			if err != nil {
				return err
			}
			// The ledger's leaf data is the event hash; tlog.RecordHash is RFC 6962's leaf hash of it.
			return tlog.CheckRecord(proof, cp.size, cp.root, *index, tlog.RecordHash(data))
		}
	case "consistency":
		vkeys, oldPath, newPath := flags.String("vkeys", "", "file of verifier keys"), flags.String("old", "", "older signed checkpoint"), flags.String("new", "", "newer signed checkpoint")
		proofPath := flags.String("proof", "", "consistency proof, one base64 hash a line")
		run = func() error {
			older, err := openCheckpoint(*oldPath, *vkeys)
			if err != nil {
				return err
			}
			newer, err := openCheckpoint(*newPath, *vkeys)
			if err != nil {
				return err
			}
			proof, err := readHashes(*proofPath)
			if err != nil {
				return err
			}
			return tlog.CheckTree(proof, newer.size, newer.root, older.size, older.root)
		}
	case "note":
		vkeys, notePath := flags.String("vkeys", "", "file of verifier keys"), flags.String("note", "", "signed note")
		run = func() error {
			n, err := openNote(*notePath, *vkeys)
			if err != nil {
				return err
			}
			_, err = os.Stdout.WriteString(n.Text)
			return err
		}
	case "bundle-proofs":
		vkeys, notePath := flags.String("vkeys", "", "file of verifier keys"), flags.String("note", "", "the bundle's checkpoint.note")
		proofsPath := flags.String("proofs", "", "the bundle's proofs.jsonl")
		run = func() error { return checkBundleProofs(*notePath, *vkeys, *proofsPath) }
	case "bundle-multiproof":
		vkeys, notePath := flags.String("vkeys", "", "file of verifier keys"), flags.String("note", "", "the bundle's checkpoint.note")
		eventsPath, proofPath := flags.String("events", "", "the bundle's events.jsonl (v2)"), flags.String("proof", "", "the bundle's multiproof.txt")
		run = func() error { return checkBundleMultiproof(*notePath, *vkeys, *eventsPath, *proofPath) }
	case "sign":
		skeyPath, textPath := flags.String("skey", "", "signer key file"), flags.String("text", "", "note text")
		run = func() error {
			skey, err := os.ReadFile(*skeyPath)
			if err != nil {
				return err
			}
			signer, err := note.NewSigner(strings.TrimSpace(string(skey)))
			if err != nil {
				return err
			}
			text, err := os.ReadFile(*textPath)
			if err != nil {
				return err
			}
			msg, err := note.Sign(&note.Note{Text: string(text)}, signer)
			if err != nil {
				return err
			}
			_, err = os.Stdout.Write(msg)
			return err
		}
	case "cosigned":
		vkeys, witness, notePath := flags.String("vkeys", "", "file of the log's verifier keys"), flags.String("witness", "", "the witness's cosignature/v1 verifier key"), flags.String("note", "", "cosigned checkpoint")
		run = func() error { return openCosigned(*notePath, *vkeys, *witness) }
	case "tree":
		eventHashes, index, oldSize := flags.String("event-hashes", "", "event hashes, one hex a line"), flags.Int64("index", 0, "leaf to prove"), flags.Int64("old-size", 1, "older tree size to prove consistency from")
		run = func() error { return proveWithTlog(*eventHashes, *index, *oldSize) }
	default:
		usage()
	}
	if err := flags.Parse(os.Args[2:]); err != nil {
		usage()
	}
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "rejected:", err)
		os.Exit(1)
	}
}

func usage() {
	fmt.Fprintln(os.Stderr, "usage: go-verify checkpoint|inclusion|consistency|note|bundle-proofs|bundle-multiproof|sign|tree|cosigned [flags]")
	os.Exit(2)
}

type checkpoint struct {
	origin string
	size   int64
	root   tlog.Hash
}

// openCheckpoint verifies the note with note.Open, then reads the C2SP
// checkpoint body (tlog.ParseTree only reads the go.sum database's own header).
func openCheckpoint(notePath, vkeysPath string) (checkpoint, error) {
	var cp checkpoint
	n, err := openNote(notePath, vkeysPath)
	if err != nil {
		return cp, err
	}
	body := strings.Split(strings.TrimSuffix(n.Text, "\n"), "\n")
	if len(body) < 3 || body[0] == "" {
		return cp, errors.New("checkpoint needs origin, size and root lines")
	}
	cp.origin = body[0]
	if cp.size, err = strconv.ParseInt(body[1], 10, 64); err != nil || cp.size < 0 {
		return cp, fmt.Errorf("bad tree size %q", body[1])
	}
	root, err := base64.StdEncoding.DecodeString(body[2])
	if err != nil || len(root) != tlog.HashSize {
		return cp, fmt.Errorf("bad root hash %q", body[2])
	}
	copy(cp.root[:], root)
	return cp, nil
}

// openNote verifies a signed note with note.Open against the verifier keys in vkeysPath.
func openNote(notePath, vkeysPath string) (*note.Note, error) {
	msg, err := os.ReadFile(notePath)
	if err != nil {
		return nil, err
	}
	lines, err := readLines(vkeysPath)
	if err != nil {
		return nil, err
	}
	var verifiers []note.Verifier
	for _, vkey := range lines {
		v, err := note.NewVerifier(vkey)
		if err != nil {
			return nil, fmt.Errorf("verifier key %q: %w", vkey, err)
		}
		verifiers = append(verifiers, v)
	}
	return note.Open(msg, note.VerifierList(verifiers...))
}

// checkBundleProofs checks every line of an evidence bundle's proofs.jsonl
// (VERIFY.md section 4) against its signed checkpoint with tlog.CheckRecord.
func checkBundleProofs(notePath, vkeysPath, proofsPath string) error {
	cp, err := openCheckpoint(notePath, vkeysPath)
	if err != nil {
		return err
	}
	file, err := os.Open(proofsPath)
	if err != nil {
		return err
	}
	defer file.Close()
	scanner := bufio.NewScanner(file)
	scanner.Buffer(make([]byte, 1<<20), 1<<24)
	checked := 0
	for scanner.Scan() {
		var line struct {
			EventHash string   `json:"eventHash"`
			LeafIndex int64    `json:"leafIndex"`
			Proof     []string `json:"proof"`
		}
		if err := json.Unmarshal(scanner.Bytes(), &line); err != nil {
			return fmt.Errorf("proofs line %d: %w", checked+1, err)
		}
		data, err := hex.DecodeString(line.EventHash)
		if err != nil || len(data) != tlog.HashSize {
			return fmt.Errorf("proofs line %d: event hash must be 64 hex digits", checked+1)
		}
		proof := make(tlog.RecordProof, len(line.Proof))
		for i, h := range line.Proof {
			raw, err := base64.StdEncoding.DecodeString(h)
			if err != nil || len(raw) != tlog.HashSize {
				return fmt.Errorf("proofs line %d: proof hash %d is not base64 SHA-256", checked+1, i)
			}
			copy(proof[i][:], raw)
		}
		if err := tlog.CheckRecord(proof, cp.size, cp.root, line.LeafIndex, tlog.RecordHash(data)); err != nil {
			return fmt.Errorf("proofs line %d: %w", checked+1, err)
		}
		checked++
	}
	if err := scanner.Err(); err != nil {
		return err
	}
	return json.NewEncoder(os.Stdout).Encode(map[string]any{"checked": checked, "size": cp.size})
}

// A v2 events.jsonl line: position, leaf index and event hash, then the exact bytes the hash covers, then "}".
var eventLine = regexp.MustCompile(`^\{"position":"[1-9][0-9]*","leafIndex":(0|[1-9][0-9]*),"hash":"([0-9a-f]{64})","event":`)

// checkBundleMultiproof follows VERIFY.md sections 3 and 4 of a v2 bundle:
// each event's hash is SHA-256 of its hashed form, and its leaf
// (tlog.RecordHash) with the multiproof's hashes rebuilds the checkpoint's
// root by RFC 9162's split, nodes hashed with tlog.NodeHash.
func checkBundleMultiproof(notePath, vkeysPath, eventsPath, proofPath string) error {
	cp, err := openCheckpoint(notePath, vkeysPath)
	if err != nil {
		return err
	}
	// Each line exactly as written: nothing trimmed, since every byte after the prefix is hashed.
	content, err := os.ReadFile(eventsPath)
	if err != nil {
		return err
	}
	if !strings.HasSuffix(string(content), "\n") {
		return errors.New("events.jsonl does not end with a newline")
	}
	lines := strings.Split(strings.TrimSuffix(string(content), "\n"), "\n")
	carried := 0
	indices := make([]int64, 0, len(lines))
	leaves := make([]tlog.Hash, 0, len(lines))
	for n, line := range lines {
		head := eventLine.FindStringSubmatch(line)
		if head == nil || !strings.HasSuffix(line, "}") {
			return fmt.Errorf("events line %d is not a v2 event line", n+1)
		}
		hashed, values, err := splitEventLine(line, len(head[0]))
		if err != nil {
			return fmt.Errorf("events line %d: %v", n+1, err)
		}
		sum := sha256.Sum256(hashed)
		if hex.EncodeToString(sum[:]) != head[2] {
			return fmt.Errorf("events line %d: its hashed form does not hash to %s", n+1, head[2])
		}
		if err := checkCarriedValues(hashed, values); err != nil {
			return fmt.Errorf("events line %d: %v", n+1, err)
		}
		carried += len(values)
		index, err := strconv.ParseInt(head[1], 10, 64)
		if err != nil || index >= cp.size || (n > 0 && index <= indices[n-1]) {
			return fmt.Errorf("events line %d: leaf index %s is not ascending within the tree", n+1, head[1])
		}
		indices = append(indices, index)
		leaves = append(leaves, tlog.RecordHash(sum[:]))
	}
	proof, err := readHashes(proofPath)
	if err != nil {
		return err
	}
	next, used := 0, 0
	var subtree func(lo, hi int64) (tlog.Hash, error)
	subtree = func(lo, hi int64) (tlog.Hash, error) {
		if next >= len(indices) || indices[next] >= hi {
			if used == len(proof) {
				return tlog.Hash{}, errors.New("the multiproof has too few hashes")
			}
			used++
			return proof[used-1], nil
		}
		if hi-lo == 1 {
			next++
			return leaves[next-1], nil
		}
		k := int64(1)
		for k*2 < hi-lo {
			k *= 2
		}
		left, err := subtree(lo, lo+k)
		if err != nil {
			return left, err
		}
		right, err := subtree(lo+k, hi)
		return tlog.NodeHash(left, right), err
	}
	if len(indices) == 0 {
		return errors.New("the bundle holds no events")
	}
	root, err := subtree(0, cp.size)
	if err != nil {
		return err
	}
	if used != len(proof) || root != cp.root {
		return fmt.Errorf("the %d leaves and %d proof hashes do not lead to the checkpoint's root", len(leaves), len(proof))
	}
	return json.NewEncoder(os.Stdout).Encode(map[string]any{"checked": len(leaves), "size": cp.size, "values": carried})
}

// splitEventLine follows VERIFY.md section 3: after the prefix the hashed form
// runs to where its JSON value ends, and the line ends with "}" or, for an
// event that carries values, with `,"values":{...}}`.
func splitEventLine(line string, prefix int) ([]byte, map[string]json.RawMessage, error) {
	decoder := json.NewDecoder(strings.NewReader(line[prefix:]))
	var event json.RawMessage
	if err := decoder.Decode(&event); err != nil {
		return nil, nil, fmt.Errorf("its hashed form is not JSON: %v", err)
	}
	end := prefix + int(decoder.InputOffset())
	rest := line[end:]
	if rest == "}" {
		return []byte(line[prefix:end]), nil, nil
	}
	const valuesKey = `,"values":`
	var values map[string]json.RawMessage
	if !strings.HasPrefix(rest, valuesKey) || !strings.HasSuffix(rest, "}") ||
		json.Unmarshal([]byte(rest[len(valuesKey):len(rest)-1]), &values) != nil {
		return nil, nil, errors.New("after its hashed form comes neither } nor its values")
	}
	return []byte(line[prefix:end]), values, nil
}

// checkCarriedValues follows VERIFY.md on erasable values: each carried value,
// with its salt, must open the commitment its pointer names in the hashed form:
// SHA-256(salt bytes || RFC 8785 JSON of the value).
func checkCarriedValues(hashed []byte, values map[string]json.RawMessage) error {
	if len(values) == 0 {
		return nil
	}
	event, err := decodeJSON(hashed)
	if err != nil {
		return err
	}
	for pointer, raw := range values {
		var entry map[string]json.RawMessage
		if err := json.Unmarshal(raw, &entry); err != nil {
			return fmt.Errorf("the value carried for %s is not {salt, value}", pointer)
		}
		var saltHex string
		rawValue, hasValue := entry["value"]
		if json.Unmarshal(entry["salt"], &saltHex) != nil || !hasValue {
			return fmt.Errorf("the value carried for %s is not {salt, value}", pointer)
		}
		salt, err := hex.DecodeString(saltHex)
		if err != nil || len(salt) != 32 || saltHex != strings.ToLower(saltHex) {
			return fmt.Errorf("the salt carried for %s is not 64 lowercase hex digits", pointer)
		}
		commitment, ok := commitmentAt(event, pointer)
		if !ok {
			return fmt.Errorf("%s holds no commitment", pointer)
		}
		value, err := decodeJSON(rawValue)
		if err != nil {
			return err
		}
		canonical, err := canonicalJSON(value)
		if err != nil {
			return fmt.Errorf("the value carried for %s: %v", pointer, err)
		}
		sum := sha256.Sum256(append(salt, canonical...))
		if hex.EncodeToString(sum[:]) != commitment {
			return fmt.Errorf("the value carried for %s does not open its commitment", pointer)
		}
	}
	return nil
}

func decodeJSON(data []byte) (any, error) {
	decoder := json.NewDecoder(bytes.NewReader(data))
	decoder.UseNumber()
	var value any
	err := decoder.Decode(&value)
	return value, err
}

// commitmentAt resolves an RFC 6901 JSON Pointer and returns the commitment
// held there: an object whose one member is "$commitment".
func commitmentAt(root any, pointer string) (string, bool) {
	if !strings.HasPrefix(pointer, "/") {
		return "", false
	}
	at := root
	for _, token := range strings.Split(pointer[1:], "/") {
		token = strings.ReplaceAll(strings.ReplaceAll(token, "~1", "/"), "~0", "~")
		switch node := at.(type) {
		case map[string]any:
			child, ok := node[token]
			if !ok {
				return "", false
			}
			at = child
		case []any:
			i, err := strconv.Atoi(token)
			if err != nil || i < 0 || i >= len(node) {
				return "", false
			}
			at = node[i]
		default:
			return "", false
		}
	}
	held, ok := at.(map[string]any)
	if !ok || len(held) != 1 {
		return "", false
	}
	commitment, ok := held["$commitment"].(string)
	return commitment, ok
}

// canonicalJSON is RFC 8785: no whitespace, keys sorted by UTF-16 code units,
// minimal string escapes, numbers as ECMAScript prints them.
func canonicalJSON(value any) ([]byte, error) {
	var out bytes.Buffer
	var write func(v any) error
	write = func(v any) error {
		switch v := v.(type) {
		case nil:
			out.WriteString("null")
		case bool:
			out.WriteString(strconv.FormatBool(v))
		case string:
			writeCanonicalString(&out, v)
		case json.Number:
			number, err := canonicalNumber(v)
			if err != nil {
				return err
			}
			out.WriteString(number)
		case []any:
			out.WriteByte('[')
			for i, item := range v {
				if i > 0 {
					out.WriteByte(',')
				}
				if err := write(item); err != nil {
					return err
				}
			}
			out.WriteByte(']')
		case map[string]any:
			keys := make([]string, 0, len(v))
			for key := range v {
				keys = append(keys, key)
			}
			sort.Slice(keys, func(i, j int) bool {
				a, b := utf16.Encode([]rune(keys[i])), utf16.Encode([]rune(keys[j]))
				for k := 0; k < len(a) && k < len(b); k++ {
					if a[k] != b[k] {
						return a[k] < b[k]
					}
				}
				return len(a) < len(b)
			})
			out.WriteByte('{')
			for i, key := range keys {
				if i > 0 {
					out.WriteByte(',')
				}
				writeCanonicalString(&out, key)
				out.WriteByte(':')
				if err := write(v[key]); err != nil {
					return err
				}
			}
			out.WriteByte('}')
		default:
			return fmt.Errorf("not JSON: %v", v)
		}
		return nil
	}
	err := write(value)
	return out.Bytes(), err
}

func writeCanonicalString(out *bytes.Buffer, text string) {
	out.WriteByte('"')
	for _, r := range text {
		switch r {
		case '"':
			out.WriteString(`\"`)
		case '\\':
			out.WriteString(`\\`)
		case '\b':
			out.WriteString(`\b`)
		case '\t':
			out.WriteString(`\t`)
		case '\n':
			out.WriteString(`\n`)
		case '\f':
			out.WriteString(`\f`)
		case '\r':
			out.WriteString(`\r`)
		default:
			if r < 0x20 {
				fmt.Fprintf(out, `\u%04x`, r)
			} else {
				out.WriteRune(r)
			}
		}
	}
	out.WriteByte('"')
}

// canonicalNumber prints a number as ECMAScript's Number.prototype.toString
// does: the shortest digits that round-trip, laid out by their exponent.
func canonicalNumber(number json.Number) (string, error) {
	f, err := strconv.ParseFloat(string(number), 64)
	if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
		return "", fmt.Errorf("%s is not a finite number", number)
	}
	if f == 0 {
		return "0", nil
	}
	sign := ""
	if f < 0 {
		sign, f = "-", -f
	}
	mantissa, exponent, _ := strings.Cut(strconv.FormatFloat(f, 'e', -1, 64), "e")
	digits := strings.Replace(mantissa, ".", "", 1)
	e, _ := strconv.Atoi(exponent)
	k, n := len(digits), e+1
	switch {
	case k <= n && n <= 21:
		return sign + digits + strings.Repeat("0", n-k), nil
	case 0 < n && n <= 21:
		return sign + digits[:n] + "." + digits[n:], nil
	case -6 < n && n <= 0:
		return sign + "0." + strings.Repeat("0", -n) + digits, nil
	}
	layout := digits[:1]
	if k > 1 {
		layout += "." + digits[1:]
	}
	if n-1 > 0 {
		return sign + layout + "e+" + strconv.Itoa(n-1), nil
	}
	return sign + layout + "e-" + strconv.Itoa(1-n), nil
}

// proveWithTlog builds the log with tlog's own storage layout and prints its
// root and proofs, for comparison with the ledger's.
func proveWithTlog(eventHashesPath string, index, oldSize int64) error {
	lines, err := readLines(eventHashesPath)
	if err != nil {
		return err
	}
	var stored []tlog.Hash
	reader := tlog.HashReaderFunc(func(indexes []int64) ([]tlog.Hash, error) {
		out := make([]tlog.Hash, len(indexes))
		for i, at := range indexes {
			out[i] = stored[at]
		}
		return out, nil
	})
	for n, line := range lines {
		data, err := hex.DecodeString(line)
		if err != nil {
			return err
		}
		hashes, err := tlog.StoredHashes(int64(n), data, reader)
		if err != nil {
			return err
		}
		stored = append(stored, hashes...)
	}
	size := int64(len(lines))
	root, err := tlog.TreeHash(size, reader)
	if err != nil {
		return err
	}
	recordProof, err := tlog.ProveRecord(size, index, reader)
	if err != nil {
		return err
	}
	treeProof, err := tlog.ProveTree(size, oldSize, reader)
	if err != nil {
		return err
	}
	return json.NewEncoder(os.Stdout).Encode(map[string]any{
		"size":        size,
		"root":        base64.StdEncoding.EncodeToString(root[:]),
		"inclusion":   encodeHashes(recordProof),
		"consistency": encodeHashes(treeProof),
	})
}

func encodeHashes(hashes []tlog.Hash) []string {
	out := []string{}
	for _, h := range hashes {
		out = append(out, base64.StdEncoding.EncodeToString(h[:]))
	}
	return out
}

func readHashes(path string) ([]tlog.Hash, error) {
	lines, err := readLines(path)
	if err != nil {
		return nil, err
	}
	hashes := make([]tlog.Hash, len(lines))
	for i, line := range lines {
		raw, err := base64.StdEncoding.DecodeString(line)
		if err != nil || len(raw) != tlog.HashSize {
			return nil, fmt.Errorf("proof line %d is not a base64 SHA-256 hash", i+1)
		}
		copy(hashes[i][:], raw)
	}
	return hashes, nil
}

func readLines(path string) ([]string, error) {
	file, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer file.Close()
	var lines []string
	scanner := bufio.NewScanner(file)
	for scanner.Scan() {
		if line := strings.TrimSpace(scanner.Text()); line != "" {
			lines = append(lines, line)
		}
	}
	return lines, scanner.Err()
}

// openCosigned opens a checkpoint with note.Open, trusting the log's keys and
// one witness key, and prints the names whose signatures Go checked. The
// witness key is read here from c2sp.org/tlog-cosignature alone: algorithm
// 0x04, key hash SHA-256(name || "\n" || 0x04 || key)[:4], and a signature
// over "cosignature/v1\ntime <t>\n" || text, the 8-byte time leading the signature.
func openCosigned(notePath, vkeysPath, witnessKey string) error {
	msg, err := os.ReadFile(notePath)
	if err != nil {
		return err
	}
	lines, err := readLines(vkeysPath)
	if err != nil {
		return err
	}
	var verifiers []note.Verifier
	for _, vkey := range lines {
		v, err := note.NewVerifier(vkey)
		if err != nil {
			return fmt.Errorf("verifier key %q: %w", vkey, err)
		}
		verifiers = append(verifiers, v)
	}
	w, err := newCosignatureVerifier(witnessKey)
	if err != nil {
		return err
	}
	n, err := note.Open(msg, note.VerifierList(append(verifiers, w)...))
	if err != nil {
		return err
	}
	var names []string
	for _, sig := range n.Sigs {
		names = append(names, sig.Name)
	}
	return json.NewEncoder(os.Stdout).Encode(map[string]any{"signedBy": names})
}

type cosignatureVerifier struct {
	name string
	hash uint32
	key  ed25519.PublicKey
}

func newCosignatureVerifier(vkey string) (*cosignatureVerifier, error) {
	parts := strings.SplitN(vkey, "+", 3)
	if len(parts) != 3 {
		return nil, fmt.Errorf("witness key %q is not name+hash+key", vkey)
	}
	key, err := base64.StdEncoding.DecodeString(parts[2])
	if err != nil || len(key) != 33 || key[0] != 0x04 {
		return nil, fmt.Errorf("witness key %q is not a cosignature/v1 Ed25519 key", vkey)
	}
	h := sha256.Sum256(append([]byte(parts[0]+"\n"), key...))
	hash := binary.BigEndian.Uint32(h[:4])
	if fmt.Sprintf("%08x", hash) != parts[1] {
		return nil, fmt.Errorf("witness key %q: key hash %08x does not match", vkey, hash)
	}
	return &cosignatureVerifier{name: parts[0], hash: hash, key: ed25519.PublicKey(key[1:])}, nil
}

func (v *cosignatureVerifier) Name() string    { return v.name }
func (v *cosignatureVerifier) KeyHash() uint32 { return v.hash }
func (v *cosignatureVerifier) Verify(msg, sig []byte) bool {
	if len(sig) != 8+ed25519.SignatureSize {
		return false
	}
	t := binary.BigEndian.Uint64(sig[:8])
	signed := append([]byte(fmt.Sprintf("cosignature/v1\ntime %d\n", t)), msg...)
	return ed25519.Verify(v.key, signed, sig[8:])
}
