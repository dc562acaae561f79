// Command producer publishes one warren job from Go with amqp091-go: the
// `send_invoice` handler job. A warren worker that registered `send_invoice`
// performs it (see ../README.md); the envelope is documented in schemas/README.md.
//
//	AMQP_URL=amqp://guest:guest@127.0.0.1:5672 ./producer -queue invoices
//	TRACEPARENT=00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01 ./producer
//
// Sends W3C trace context with the job (the `traceparent` header, and `tracestate` when
// TRACESTATE is set): $TRACEPARENT when set, else a new trace. A warren worker with
// OpenTelemetry makes its span for the job a child of it.
//
// Prints the job id on stdout. Exits non-zero when the broker did not take the job.
package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"math/big"
	"os"
	"regexp"
	"strings"
	"time"

	amqp "github.com/rabbitmq/amqp091-go"
)

// Active Job's argument format for the Ruby types JSON lacks (schemas/README.md, "Arguments").
func globalID(app, model string, id int) map[string]any {
	return map[string]any{"_aj_globalid": fmt.Sprintf("gid://%s/%s/%d", app, model, id)}
}

func date(isoDate string) map[string]any {
	return map[string]any{"_aj_serialized": "ActiveJob::Serializers::DateSerializer", "value": isoDate}
}

func timeUTC(t time.Time) map[string]any {
	// Rails writes nine fractional digits.
	return map[string]any{"_aj_serialized": "ActiveJob::Serializers::TimeSerializer", "value": t.UTC().Format("2006-01-02T15:04:05.000000000Z")}
}

func bigDecimal(text string) map[string]any {
	return map[string]any{"_aj_serialized": "ActiveJob::Serializers::BigDecimalSerializer", "value": text}
}

// invoiceArgs is the job's one argument: the named arguments a warren handler receives.
func invoiceArgs() map[string]any {
	ledgerEntry := new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), 127), big.NewInt(1)) // 2^127-1, beyond 64 bits
	return map[string]any{
		"invoice": globalID("billing", "Invoice", 1042),
		"customer": map[string]any{
			"name":    "Zoë Martín",
			"tags":    []string{"vip", "eu"},
			"address": map[string]any{"city": "Sevilla", "lines": []string{"Calle Betis 1", "2º B"}},
		},
		"due_on":       date("2024-05-31"),
		"issued_at":    timeUTC(time.Date(2024, 5, 1, 12, 30, 45, 123_000_000, time.UTC)),
		"amount_cents": uint64(1<<53 + 1), // beyond JavaScript's safe integers: still exact
		"ledger_entry": ledgerEntry,       // *big.Int marshals as bare digits
		"total":        bigDecimal("90071992547409.93"),
		"ratio":        0.1,
	}
}

// Envelope is warren's envelope, version 1 (JSON encoding).
type Envelope struct {
	JobClass            string         `json:"job_class"`
	JobID               string         `json:"job_id"`
	ProviderJobID       *string        `json:"provider_job_id"`
	QueueName           string         `json:"queue_name"`
	Priority            *int           `json:"priority"`
	Arguments           []any          `json:"arguments"`
	Executions          int            `json:"executions"`
	ExceptionExecutions map[string]int `json:"exception_executions"`
	Locale              string         `json:"locale"`
	Timezone            string         `json:"timezone"`
	EnqueuedAt          string         `json:"enqueued_at"`
	ScheduledAt         *string        `json:"scheduled_at"`
	EnvelopeVersion     int            `json:"envelope_version"`
}

func uuid4() string {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}

// W3C Trace Context, version 00: 00-<32 hex trace id>-<16 hex parent id>-<2 hex flags>.
var traceparentFormat = regexp.MustCompile(`^00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$`)

func randomHex(bytes int) string {
	b := make([]byte, bytes)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return hex.EncodeToString(b)
}

func validTraceparent(traceparent string) bool {
	if !traceparentFormat.MatchString(traceparent) {
		return false
	}
	fields := strings.Split(traceparent, "-")
	return strings.Trim(fields[1], "0") != "" && strings.Trim(fields[2], "0") != "" // ids not all zero
}

// traceHeaders is the job's trace context: $TRACEPARENT (say, the span publishing the job), else a new sampled trace.
func traceHeaders() amqp.Table {
	traceparent, set := os.LookupEnv("TRACEPARENT")
	if !set {
		traceparent = "00-" + randomHex(16) + "-" + randomHex(8) + "-01"
	} else if !validTraceparent(traceparent) {
		fail("TRACEPARENT %q is not a W3C traceparent (00-<32 hex>-<16 hex>-<2 hex>, ids not all zero)", traceparent)
	}
	headers := amqp.Table{"traceparent": traceparent}
	if tracestate := os.Getenv("TRACESTATE"); tracestate != "" {
		headers["tracestate"] = tracestate
	}
	return headers
}

func fail(format string, args ...any) {
	fmt.Fprintf(os.Stderr, format+"\n", args...)
	os.Exit(1)
}

func main() {
	defaultURL := os.Getenv("AMQP_URL")
	if defaultURL == "" {
		defaultURL = "amqp://guest:guest@127.0.0.1:5672"
	}
	url := flag.String("url", defaultURL, "broker URL")
	exchange := flag.String("exchange", "warren", "warren's default exchange")
	queue := flag.String("queue", "invoices", "routing key = queue name")
	flag.Parse()
	headers := traceHeaders() // W3C trace context (schemas/README.md, "Headers")

	job := Envelope{
		JobClass:            "send_invoice", // the handler name (or a job class name)
		JobID:               uuid4(),
		QueueName:           *queue,
		Arguments:           []any{invoiceArgs()}, // a handler job: exactly one hash
		ExceptionExecutions: map[string]int{},
		Locale:              "es",
		Timezone:            "Europe/Madrid",
		EnqueuedAt:          time.Now().UTC().Format("2006-01-02T15:04:05.000000000Z"),
		EnvelopeVersion:     1,
	}
	body, err := json.Marshal(job)
	if err != nil {
		fail("cannot encode the job: %v", err)
	}

	conn, err := amqp.Dial(*url)
	if err != nil {
		fail("cannot connect: %v", err)
	}
	defer conn.Close()
	ch, err := conn.Channel()
	if err != nil {
		fail("cannot open a channel: %v", err)
	}
	if err := ch.Confirm(false); err != nil { // the broker acks every publish
		fail("cannot enable publisher confirms: %v", err)
	}
	// A mandatory publish that no queue is bound for comes back here, before its ack.
	returns := ch.NotifyReturn(make(chan amqp.Return, 1))
	confirms := ch.NotifyPublish(make(chan amqp.Confirmation, 1))

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err = ch.PublishWithContext(ctx, *exchange, *queue, true /* mandatory */, false, amqp.Publishing{
		ContentType:  "application/json",
		DeliveryMode: amqp.Persistent, // survives a broker restart
		MessageId:    job.JobID,
		Type:         job.JobClass,
		Timestamp:    time.Now(),
		Priority:     5, // a job without priority on a queue with x-max-priority 10 (ignored by a queue without priorities)
		AppId:        "go-producer",
		Headers:      headers,
		Body:         body,
	})
	if err != nil {
		fail("publish failed: %v", err)
	}
	select {
	case confirmation := <-confirms:
		if !confirmation.Ack {
			fail("the broker refused the job (nack); publish it again")
		}
	case <-ctx.Done():
		fail("no confirm from the broker within 10 s: the job may not be enqueued")
	}
	select {
	case <-returns:
		fail("unroutable: no queue is bound to exchange %q with routing key %q (start a warren worker for it, or run `warren topology apply`)", *exchange, *queue)
	default:
	}
	fmt.Println(job.JobID)
}
