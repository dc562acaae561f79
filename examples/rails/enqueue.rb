#!/usr/bin/env ruby
# frozen_string_literal: true

# Rails -> warren: enqueues a ReportJob with Active Job itself (job.serialize, through the
# WarrenAdapter) for a warren worker to perform. Prints the job id.
#
#   AMQP_URL=amqp://guest:guest@127.0.0.1:5672 ruby enqueue.rb --queue reports
require "optparse"
require "bigdecimal"
require_relative "report_job"
require_relative "warren_adapter"

queue = "reports"
OptionParser.new { |parser| parser.on("--queue NAME") { queue = _1 } }.parse!

adapter = ActiveJob::QueueAdapters::WarrenAdapter.new
ActiveJob::Base.queue_adapter = adapter
begin
  job = I18n.with_locale(:es) do
    Time.use_zone("America/Los_Angeles") do
      ReportJob.set(queue: queue).perform_later(
        User.new(42),
        { period: :weekly, "filters" => { region: "EU", "tags" => ["vip", 1.5] } },
        :weekly,
        Date.new(2024, 5, 31),
        Time.utc(2024, 5, 1, 12, 30, 45.123r),
        DateTime.new(2024, 5, 1, 14, 30, 0, "+02:00"),
        90.minutes,
        BigDecimal("1234.56"),
        Time.zone.local(2024, 5, 1, 5, 0, 0),
        2**70,
        notify: true
      )
    end
  end
ensure
  adapter.close
end
puts job.job_id
