#!/usr/bin/env ruby
# frozen_string_literal: true

# Rails' own Active Job 6.1.7.10 test cases (activejob/test/cases/argument_serialization_test.rb,
# job_serialization_test.rb, queue_priority_test.rb, queue_naming_test.rb, translation_test.rb,
# timezones_test.rb: the cases about what travels), run through RabbitMQ against a warren worker
# by test/interop/rails-suite.test.ts. The case values are copied from the Rails tests.
#
#   enqueue --queue Q         Rails -> warren: perform_later one WireCaseJob per argument case
#                             (first argument: the case name); prints {"case": job_id} as JSON
#   enqueue-fields --queue Q --prefix P
#                             Rails -> warren: jobs with a queue prefix, priority, locale, time zone;
#                             prints their serialized fields
#   check --queue Q --count N warren -> Rails: pops N jobs warren enqueued and prints, per case,
#                             whether Active Job deserializes exactly what Rails itself gets
#                             from its own JSON (class, value, digits, sign, zone, keys), and the job's fields
require "optparse"
require "bigdecimal"
require_relative "../../../examples/rails/warren_adapter"
require "active_support/core_ext/hash/indifferent_access"
require "active_support/all" # what a Rails app has loaded (BigDecimal#to_s writes "5.0", as in the Rails tests)

ActiveJob::Base.logger = Logger.new(nil)
GlobalID.app = "aj" # as activejob/test/helper.rb
I18n.available_locales = %i[en de es]

# activejob/test/models/person.rb
class Person
  class RecordNotFound < StandardError; end
  include GlobalID::Identification
  attr_reader :id

  def self.find(id)
    raise RecordNotFound, "Cannot find person with ID=404" if id.to_i == 404
    new(id)
  end

  def initialize(id)
    @id = id
  end

  def ==(other)
    other.is_a?(Person) && id.to_s == other.id.to_s
  end
end

# activejob/test/support/stubs/strong_parameters.rb
class Parameters
  def initialize(parameters = {})
    @parameters = parameters.with_indifferent_access
  end

  def permitted?
    true
  end

  def to_h
    @parameters.to_h
  end
end

# The module and classes of argument_serialization_test.rb, under the same names.
class ArgumentSerializationTest
  module ModuleArgument
    class ClassArgument; end
  end

  class ClassArgument; end
end

class WireCaseJob < ActiveJob::Base
  def perform(*); end
end

class PrefixedWireCaseJob < ActiveJob::Base
  self.queue_name_prefix = "production"
  def perform(*); end
end

person = Person.find("5")
alaska = Time.use_zone("Alaska") { Time.new(2002, 10, 31, 2, 2, 2).in_time_zone }

# name => the perform arguments, as in argument_serialization_test.rb (6.1.7.10).
CASES = {
  "nil" => [nil],
  "integer" => [1],
  "float" => [1.0],
  "big integer" => [1_000_000_000_000_000_000_000],
  "string" => ["a"],
  "true" => [true],
  "false" => [false],
  "BigDecimal" => [BigDecimal(5)],
  "symbol" => [:a],
  "duration" => [1.day],
  "date" => [Date.new(2001, 2, 3)],
  "time" => [Time.new(2002, 10, 31, 2, 2, 2.123456789r, "+02:00")],
  "datetime" => [DateTime.new(2001, 2, 3, 4, 5, 6.123456r, "+03:00")],
  "time with zone" => [ActiveSupport::TimeWithZone.new(Time.utc(1999, 12, 31, 23, 59, "59.123456789".to_r), ActiveSupport::TimeZone["UTC"])],
  "array" => [[1, "a"]],
  "string-key hash" => [{ "a" => 1 }],
  "module" => [ArgumentSerializationTest::ModuleArgument],
  "nested class" => [ArgumentSerializationTest::ModuleArgument::ClassArgument],
  "class" => [ArgumentSerializationTest::ClassArgument],
  "record" => [person],
  "gid string" => [person.to_gid.to_s],
  "deep array" => [3, [person]],
  "deep hash" => [{ "a" => person }],
  "string and symbol keys" => [{ :a => 1, "b" => 2 }],
  "symbol-key hash" => [{ a: 1 }],
  "indifferent access" => [{ a: 1 }.with_indifferent_access],
  "parameters" => [Parameters.new(a: 1)],
  "time with zone in Alaska" => [alaska],
  "keyword arguments" => [Hash.ruby2_keywords_hash(argument: 2)]
}.freeze

# What Rails itself gets back for `args` through JSON: the baseline warren is held to.
def through_json(args)
  ActiveJob::Arguments.deserialize(JSON.parse(JSON.generate(ActiveJob::Arguments.serialize(args))))
end

# Same class, same value, all the way down: Integer vs Float, -0.0, symbol vs string keys,
# HashWithIndifferentAccess, the ruby2_keywords flag, time digits and offsets.
def same?(a, b)
  return false unless a.class == b.class
  case a
  when Hash
    return false unless a.keys == b.keys && Hash.ruby2_keywords_hash?(a) == Hash.ruby2_keywords_hash?(b)
    a.all? { |key, value| same?(value, b[key]) }
  when Array then a.size == b.size && a.zip(b).all? { |x, y| same?(x, y) }
  when Float then a.eql?(b) && (1.0 / a).positive? == (1.0 / b).positive?
  when Time, DateTime, ActiveSupport::TimeWithZone
    a == b && a.utc_offset == b.utc_offset && a.nsec == b.nsec && (!a.respond_to?(:time_zone) || a.time_zone == b.time_zone)
  else a == b
  end
end

mode = ARGV.shift
queue = nil
count = 0
prefix = "production"
OptionParser.new do |parser|
  parser.on("--queue NAME") { queue = _1 }
  parser.on("--count N", Integer) { count = _1 }
  parser.on("--prefix NAME", "PrefixedWireCaseJob's queue_name_prefix (the Rails test uses production)") { prefix = _1 }
end.parse!
PrefixedWireCaseJob.queue_name_prefix = prefix

case mode
when "enqueue"
  adapter = ActiveJob::QueueAdapters::WarrenAdapter.new
  ActiveJob::Base.queue_adapter = adapter
  ids = {}
  begin
    Time.use_zone("Alaska") do
      CASES.each { |name, args| ids[name] = WireCaseJob.set(queue: queue).perform_later(name, *args).job_id }
    end
  ensure
    adapter.close
  end
  puts JSON.generate(ids)
when "enqueue-fields"
  # Prints what the adapter published: serializing the jobs again afterwards would read the clock
  # again, and a second boundary in between made enqueued_at differ by one second.
  class RecordingWarrenAdapter < ActiveJob::QueueAdapters::WarrenAdapter
    def published
      @published ||= {}
    end

    private

    def publish(payload)
      published[payload["job_id"]] = payload
      super
    end
  end
  adapter = RecordingWarrenAdapter.new
  ActiveJob::Base.queue_adapter = adapter
  jobs = {}
  begin
    # queue_priority_test.rb "uses priority passed to #set"; translation_test.rb; job_serialization_test.rb "stores the current timezone"
    jobs["set priority, locale, time zone"] = I18n.with_locale(:de) do
      Time.use_zone("Hawaii") { WireCaseJob.set(queue: queue, priority: 3).perform_later("fields") }
    end
    # queue_naming_test.rb: a class with queue_name_prefix "production" on the default queue
    ActiveJob::Base.queue_adapter = adapter
    jobs["prefixed default queue"] = PrefixedWireCaseJob.perform_later("prefixed")
  ensure
    adapter.close
  end
  puts JSON.generate(jobs.transform_values { |job| adapter.published.fetch(job.job_id) })
when "check"
  connection = Bunny.new(ENV.fetch("AMQP_URL"), logger: Logger.new(nil))
  connection.start
  results = []
  begin
    channel = connection.create_channel
    source = channel.queue(queue, passive: true)
    deadline = Time.now + 30
    while results.size < count
      _delivery, properties, body = source.pop
      unless body
        abort "only #{results.size} of #{count} jobs arrived in #{queue}" if Time.now > deadline
        sleep 0.1
        next
      end
      data = JSON.parse(body)
      job = nil
      Time.use_zone("Alaska") do
        job = ActiveJob::Base.deserialize(data)
        job.send(:deserialize_arguments_if_needed)
      end
      name, *got = job.arguments
      expected = CASES.key?(name) ? Time.use_zone("Alaska") { through_json(CASES[name]) } : nil
      results << {
        "case" => name,
        "same" => expected ? same?(got, expected) : nil,
        "got" => got.inspect,
        "expected" => expected.inspect,
        "content_type" => properties.content_type,
        "job" => {
          "class" => job.class.name, "job_id" => job.job_id, "queue_name" => job.queue_name, "priority" => job.priority,
          "locale" => job.locale, "timezone" => job.timezone, "executions" => job.executions,
          "enqueued_at" => job.enqueued_at, "provider_job_id" => job.provider_job_id
        }
      }
    end
  ensure
    connection.close
  end
  puts JSON.generate(results)
else
  abort "usage: wire_cases.rb enqueue|enqueue-fields|check --queue NAME [--count N]"
end
