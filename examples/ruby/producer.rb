#!/usr/bin/env ruby
# frozen_string_literal: true

# Publishes one warren job from plain Ruby with bunny: the `send_invoice` handler job.
# A warren worker that registered `send_invoice` performs it (see ../README.md); the
# envelope is documented in schemas/README.md. (From a Rails app, see ../rails instead:
# Active Job writes the envelope for you.)
#
#   AMQP_URL=amqp://guest:guest@127.0.0.1:5672 ruby producer.rb --queue invoices
#   TRACEPARENT=00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01 ruby producer.rb
#
# Sends W3C trace context with the job (the `traceparent` header, and `tracestate` when
# TRACESTATE is set): $TRACEPARENT when set, else a new trace. A warren worker with
# OpenTelemetry makes its span for the job a child of it.
#
# Prints the job id on stdout. Exits non-zero when the broker did not take the job.
require "bunny"
require "json"
require "optparse"
require "securerandom"
require "time"

# Active Job's argument format for the Ruby types JSON lacks (schemas/README.md, "Arguments").
def global_id(app, model, id) = { "_aj_globalid" => "gid://#{app}/#{model}/#{id}" }
def date(iso_date) = { "_aj_serialized" => "ActiveJob::Serializers::DateSerializer", "value" => iso_date }
def time_utc(time) = { "_aj_serialized" => "ActiveJob::Serializers::TimeSerializer", "value" => time.utc.iso8601(9) }
def big_decimal(text) = { "_aj_serialized" => "ActiveJob::Serializers::BigDecimalSerializer", "value" => text }

# The job's one argument: the named arguments a warren handler receives.
def invoice_args
  {
    "invoice" => global_id("billing", "Invoice", 1042),
    "customer" => {
      "name" => "Zoë Martín",
      "tags" => %w[vip eu],
      "address" => { "city" => "Sevilla", "lines" => ["Calle Betis 1", "2º B"] }
    },
    "due_on" => date("2024-05-31"),
    "issued_at" => time_utc(Time.utc(2024, 5, 1, 12, 30, 45.123r)),
    "amount_cents" => 2**53 + 1, # beyond JavaScript's safe integers: still exact
    "ledger_entry" => 2**127 - 1, # beyond 64 bits
    "total" => big_decimal("90071992547409.93"),
    "ratio" => 0.1
  }
end

# W3C Trace Context, version 00: 00-<32 hex trace id>-<16 hex parent id>-<2 hex flags> (ids not all zero).
TRACEPARENT = /\A00-(?!0{32})\h{32}-(?!0{16})\h{16}-\h{2}\z/

# The job's trace context headers: $TRACEPARENT (say, the span publishing the job), else a new sampled trace.
def trace_headers
  traceparent = ENV.fetch("TRACEPARENT") { "00-#{SecureRandom.hex(16)}-#{SecureRandom.hex(8)}-01" }
  unless TRACEPARENT.match?(traceparent) && traceparent == traceparent.downcase
    abort "TRACEPARENT #{traceparent.inspect} is not a W3C traceparent (00-<32 hex>-<16 hex>-<2 hex>)"
  end
  headers = { "traceparent" => traceparent }
  headers["tracestate"] = ENV["TRACESTATE"] unless ENV.fetch("TRACESTATE", "").empty?
  headers
end

options = { url: ENV.fetch("AMQP_URL", "amqp://guest:guest@127.0.0.1:5672"), exchange: "warren", queue: "invoices" }
OptionParser.new do |parser|
  parser.on("--url URL", "broker URL") { |value| options[:url] = value }
  parser.on("--exchange NAME", "warren's default exchange") { |value| options[:exchange] = value }
  parser.on("--queue NAME", "routing key = queue name") { |value| options[:queue] = value }
end.parse!

job = {
  "job_class" => "send_invoice", # the handler name (or a job class name)
  "job_id" => SecureRandom.uuid,
  "provider_job_id" => nil,
  "queue_name" => options[:queue],
  "priority" => nil,
  "arguments" => [invoice_args], # a handler job: exactly one hash
  "executions" => 0,
  "exception_executions" => {},
  "locale" => "es",
  "timezone" => "Europe/Madrid",
  "enqueued_at" => Time.now.utc.iso8601(9),
  "scheduled_at" => nil,
  "envelope_version" => 1
}

headers = trace_headers # W3C trace context (schemas/README.md, "Headers")

connection = Bunny.new(options[:url], logger: Logger.new(nil))
connection.start
begin
  channel = connection.create_channel
  channel.confirm_select # the broker acks every publish
  # The exchange is declared by warren (worker or `warren topology apply`): not re-declared here.
  exchange = Bunny::Exchange.new(channel, :direct, options[:exchange], no_declare: true)
  returned = false
  exchange.on_return { returned = true } # a mandatory publish no queue is bound for comes back
  exchange.publish(
    JSON.generate(job),
    routing_key: options[:queue],
    mandatory: true,
    persistent: true, # survives a broker restart
    content_type: "application/json",
    message_id: job["job_id"],
    type: job["job_class"],
    timestamp: Time.now.to_i,
    priority: 5, # a job without priority on a queue with x-max-priority 10 (ignored by a queue without priorities)
    app_id: "ruby-producer",
    headers: headers
  )
  abort "the broker refused the job (nack); publish it again" unless channel.wait_for_confirms
  if returned
    abort "unroutable: no queue is bound to exchange #{options[:exchange].inspect} with routing key " \
          "#{options[:queue].inspect} (start a warren worker for it, or run `warren topology apply`)"
  end
ensure
  connection.close
end
puts job["job_id"]
