# frozen_string_literal: true

# The job both sides know: Rails enqueues ReportJob for warren to perform, and performs the
# ReportJob warren enqueues. Its perform prints what it received, as JSON, so the two sides
# can be compared.
require "active_support/all" # what a Rails app loads (JSON encoding of BigDecimal, Time.zone, ...)
require "active_job"
require "global_id"
require "json"

GlobalID.app = "shop"
I18n.available_locales = %i[en es]
Time.zone = "UTC" # a Rails app's default config.time_zone
ActiveJob::Base.logger = Logger.new(nil)

# A minimal GlobalID-able model: what `_aj_globalid` references point at.
class User
  include GlobalID::Identification
  attr_reader :id

  def initialize(id)
    @id = id
  end

  def self.find(id) = new(Integer(id))
end

class ReportJob < ActiveJob::Base
  queue_as :reports

  def perform(user, options, period, due_on, sent_at, meeting_at, duration, total, starts_at, big, notify:)
    received = {
      "job_id" => job_id,
      "locale" => I18n.locale.to_s,
      "timezone" => Time.zone.name,
      "arguments" => [user, options, period, due_on, sent_at, meeting_at, duration, total, starts_at, big].map { describe(_1) },
      "keywords" => { "notify" => describe(notify) }
    }
    puts JSON.generate(received)
  end

  private

  # Each value with its Ruby class, so a test can tell a Symbol from a String.
  def describe(value)
    case value
    when User then { "User" => value.id }
    when Hash then { "Hash" => value.to_h { |key, item| [key.is_a?(Symbol) ? ":#{key}" : key, describe(item)] } }
    when Array then value.map { describe(_1) }
    when Symbol then { "Symbol" => value.to_s }
    when ActiveSupport::TimeWithZone then { "TimeWithZone" => value.iso8601(9), "zone" => value.time_zone.name }
    when DateTime then { "DateTime" => value.iso8601(9) }
    when Date then { "Date" => value.iso8601 }
    when Time then { "Time" => value.utc.iso8601(9) }
    when ActiveSupport::Duration then { "Duration" => value.value, "parts" => value.parts.to_h.transform_keys(&:to_s) }
    when BigDecimal then { "BigDecimal" => value.to_s("F") }
    when Integer then { "Integer" => value.to_s }
    else value
    end
  end
end
