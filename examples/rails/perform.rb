#!/usr/bin/env ruby
# frozen_string_literal: true

# warren -> Rails: takes jobs warren enqueued off a queue and performs them with Active Job
# (ActiveJob::Base.deserialize + perform_now). ReportJob#perform prints what it received.
#
#   AMQP_URL=amqp://guest:guest@127.0.0.1:5672 ruby perform.rb --queue reports --count 1
require "bunny"
require "optparse"
require_relative "report_job"

# Like warren's registry: only classes this app allows are instantiated from a message.
PERFORMABLE = { "ReportJob" => ReportJob }.freeze

queue_name = "reports"
count = 1
timeout = 20
time_zone = nil
OptionParser.new do |parser|
  parser.on("--queue NAME") { queue_name = _1 }
  parser.on("--count N", Integer) { count = _1 }
  parser.on("--timeout SECONDS", Integer) { timeout = _1 }
  parser.on("--time-zone NAME", "this app's config.time_zone (default UTC)") { time_zone = _1 }
end.parse!
Time.zone = time_zone if time_zone

connection = Bunny.new(ENV.fetch("AMQP_URL", "amqp://guest:guest@127.0.0.1:5672"), logger: Logger.new(nil))
connection.start
begin
  channel = connection.create_channel
  queue = channel.queue(queue_name, passive: true) # declared by warren
  deadline = Time.now + timeout
  count.times do
    delivery, properties, body = queue.pop(manual_ack: true)
    until delivery
      abort "no job arrived in #{queue_name} within #{timeout} s" if Time.now > deadline
      sleep 0.1
      delivery, properties, body = queue.pop(manual_ack: true)
    end
    abort "not a JSON envelope: #{properties.content_type}" unless properties.content_type == "application/json"
    data = JSON.parse(body)
    abort "#{data['job_class']} is not a job this app performs" unless PERFORMABLE.key?(data["job_class"])
    ActiveJob::Base.execute(data) # deserialize + perform_now, with locale and timezone restored
    channel.ack(delivery.delivery_tag)
  end
ensure
  connection.close
end
