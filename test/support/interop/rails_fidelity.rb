#!/usr/bin/env ruby
# frozen_string_literal: true

# The Ruby side of test/interop/rails-fidelity.test.ts (Active Job 6.1 from Debian):
#   enqueue --queue Q   enqueues a FidelityJob with Floats that are whole numbers and Times with
#                       microseconds and nanoseconds; prints the job id
#   check --queue Q     pops one job from Q and prints, as JSON, whether Active Job deserializes
#                       its arguments into exactly the originals (classes, digits, signs: compared
#                       by inspect) and, for each argument, what it got
require "optparse"
require_relative "../../../examples/rails/warren_adapter"

ActiveJob::Base.logger = Logger.new(nil)

class FidelityJob < ActiveJob::Base
  def perform(*); end
end

ORIGINALS = [
  Time.utc(2026, 11, 22, 10, 0, 0, 123_456),
  Time.at(1_795_000_000, 123_456_789, :nsec).utc,
  1.0, 2.0, -0.0, 15.0, 3, 2.5,
  { "ratio" => 1.0, "items" => [0.0, 1] }
].freeze

mode = ARGV.shift
queue = nil
OptionParser.new { |parser| parser.on("--queue NAME") { queue = _1 } }.parse!

case mode
when "enqueue"
  adapter = ActiveJob::QueueAdapters::WarrenAdapter.new
  ActiveJob::Base.queue_adapter = adapter
  begin
    job = FidelityJob.set(queue: queue).perform_later(*ORIGINALS)
  ensure
    adapter.close
  end
  puts job.job_id
when "check"
  connection = Bunny.new(ENV.fetch("AMQP_URL"), logger: Logger.new(nil))
  connection.start
  begin
    _delivery, _properties, body = connection.create_channel.queue(queue, passive: true).pop
    abort "no message in #{queue}" unless body
    data = JSON.parse(body)
    arguments = ActiveJob::Arguments.deserialize(data["arguments"])
    puts JSON.generate(
      "job_id" => data["job_id"],
      "executions" => data["executions"],
      "equal" => arguments.inspect == ORIGINALS.inspect && arguments == ORIGINALS,
      "got" => arguments.map(&:inspect),
      "expected" => ORIGINALS.map(&:inspect)
    )
  ensure
    connection.close
  end
else
  abort "usage: rails_fidelity.rb enqueue|check --queue NAME"
end
