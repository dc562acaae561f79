# frozen_string_literal: true

require "active_job"
require "bunny"
require "json"

module ActiveJob
  module QueueAdapters
    # An Active Job queue adapter that publishes jobs to warren's exchange, for warren workers
    # (TypeScript) to perform. The body is exactly `job.serialize` as JSON: warren reads Active
    # Job's own format (see schemas/README.md in the warren repository).
    #
    #   ActiveJob::Base.queue_adapter = ActiveJob::QueueAdapters::WarrenAdapter.new(url: ENV["AMQP_URL"])
    #   ReportJob.perform_later(user, period: :weekly)
    #
    # Publishing is safe: persistent messages, publisher confirms, and `mandatory`, so a job
    # no queue is bound for raises instead of vanishing. Arguments a warren worker cannot read
    # raise ActiveJob::SerializationError here, at enqueue, not in the worker.
    class WarrenAdapter
      # The broker did not take a job (nack, unroutable). (Rails 7.1 has EnqueueError.)
      class EnqueueError < StandardError; end

      # The serializers a warren worker reads (besides the ones its application registers).
      WARREN_SERIALIZERS = %w[
        ActiveJob::Serializers::TimeSerializer
        ActiveJob::Serializers::TimeWithZoneSerializer
        ActiveJob::Serializers::DateTimeSerializer
        ActiveJob::Serializers::DateSerializer
        ActiveJob::Serializers::DurationSerializer
        ActiveJob::Serializers::SymbolSerializer
        ActiveJob::Serializers::BigDecimalSerializer
        ActiveJob::Serializers::RangeSerializer
        ActiveJob::Serializers::ModuleSerializer
      ].freeze

      # url: the broker; exchange: warren's default exchange (routing key = queue name);
      # known_serializers: names of custom serializers the warren application registered;
      # max_priority: x-max-priority of the queues, when a topology file gives them one (nil: queues
      # warren declares by default have no priorities, and jobs are published without one).
      def initialize(url: ENV.fetch("AMQP_URL", "amqp://guest:guest@127.0.0.1:5672"), exchange: "warren",
                     known_serializers: [], max_priority: nil)
        @url = url
        @exchange_name = exchange
        @readable = WARREN_SERIALIZERS + known_serializers
        @max_priority = max_priority
        @mutex = Mutex.new
      end

      def enqueue(job)
        payload = job.serialize
        check_bridgeable!(payload["arguments"], job.class.name)
        publish(payload)
      end

      def enqueue_at(_job, _timestamp)
        raise NotImplementedError, "delayed jobs need warren's delay topology; this example adapter publishes due-now jobs only"
      end

      def close
        @mutex.synchronize { @connection&.close }
      end

      private

      # Active Job priority (lower = more important) -> RabbitMQ priority (higher = first),
      # as warren maps it: max - clamp(priority, 0, max); no priority sits in the middle.
      def broker_priority(priority)
        return nil if @max_priority.nil?
        return @max_priority / 2 if priority.nil?

        @max_priority - priority.clamp(0, @max_priority)
      end

      def check_bridgeable!(value, job_class)
        case value
        when Array then value.each { |item| check_bridgeable!(item, job_class) }
        when Hash
          name = value["_aj_serialized"]
          if name && !@readable.include?(name)
            raise ActiveJob::SerializationError,
                  "#{job_class}: a warren worker cannot read arguments serialized by #{name} " \
                  "(register a serializer of that name in warren and list it in known_serializers)"
          end
          value.each_value { |item| check_bridgeable!(item, job_class) }
        when Float
          raise ActiveJob::SerializationError, "#{job_class}: #{value} cannot travel in JSON" unless value.finite?
        end
      end

      def publish(payload)
        @mutex.synchronize do
          channel = open_channel
          @returned = false
          @exchange.publish(
            JSON.generate(payload),
            routing_key: payload["queue_name"],
            mandatory: true, # a job no queue is bound for comes back instead of being dropped
            persistent: true,
            content_type: "application/json",
            message_id: payload["job_id"],
            type: payload["job_class"],
            timestamp: Time.now.to_i,
            app_id: "rails",
            **{ priority: broker_priority(payload["priority"]) }.compact # none on a queue without priorities
          )
          raise EnqueueError, "the broker refused job #{payload['job_id']} (nack)" unless channel.wait_for_confirms
          if @returned
            raise EnqueueError,
                  "job #{payload['job_id']} is unroutable: no queue is bound to #{@exchange_name} with routing key " \
                  "#{payload['queue_name']} (start a warren worker for it, or run `warren topology apply`)"
          end
        end
      end

      def open_channel
        return @channel if @channel&.open?

        @connection ||= Bunny.new(@url, logger: Logger.new(nil)).tap(&:start)
        @channel = @connection.create_channel
        @channel.confirm_select
        # warren declares its exchange and queues (worker or `warren topology apply`).
        @exchange = Bunny::Exchange.new(@channel, :direct, @exchange_name, no_declare: true)
        @exchange.on_return { @returned = true }
        @channel
      end
    end
  end
end
