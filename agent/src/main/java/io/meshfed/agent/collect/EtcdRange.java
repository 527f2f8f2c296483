package io.meshfed.agent.collect;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.WireFormat.FieldType;
import io.vertx.core.buffer.Buffer;
import io.vertx.grpc.common.CodecException;
import io.vertx.grpc.common.GrpcMessage;
import io.vertx.grpc.common.GrpcMessageDecoder;
import io.vertx.grpc.common.GrpcMessageEncoder;
import io.vertx.grpc.common.ServiceMethod;
import io.vertx.grpc.common.ServiceName;
import io.vertx.grpc.common.WireFormat;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Optional;

/**
 * etcd's {@code etcdserverpb.KV/Range} for one key, encoded by hand: the agent reads a single key
 * and needs neither etcd's generated classes nor jetcd's grpc-java stack for it.
 *
 * <pre>
 * RangeRequest  { bytes key = 1; int64 limit = 3; }
 * RangeResponse { ResponseHeader header = 1; repeated KeyValue kvs = 2; bool more = 3; int64 count = 4; }
 * KeyValue      { bytes key = 1; int64 create_revision = 2; int64 mod_revision = 3; int64 version = 4; bytes value = 5; int64 lease = 6; }
 * </pre>
 */
final class EtcdRange {
  private EtcdRange() {}

  private static final int REQUEST_KEY = 1;
  private static final int REQUEST_LIMIT = 3;
  private static final int RESPONSE_KVS = 2;
  private static final int KV_VALUE = 5;

  /** The value of the key, empty when the key does not exist. */
  record Result(Optional<byte[]> value) {}

  static final GrpcMessageEncoder<byte[]> ENCODER = new GrpcMessageEncoder<>() {
    @Override
    public GrpcMessage encode(byte[] key, WireFormat format) {
      return GrpcMessage.message("identity", WireFormat.PROTOBUF, Buffer.buffer(encodeRequest(key)));
    }

    @Override
    public boolean accepts(WireFormat format) {
      return format == WireFormat.PROTOBUF;
    }
  };

  static final GrpcMessageDecoder<Result> DECODER = new GrpcMessageDecoder<>() {
    @Override
    public Result decode(GrpcMessage message) {
      try {
        return decodeResponse(message.payload().getBytes());
      } catch (IOException e) {
        throw new CodecException("malformed RangeResponse: " + e.getMessage(), e);
      }
    }

    @Override
    public boolean accepts(WireFormat format) {
      return format == WireFormat.PROTOBUF;
    }
  };

  static final ServiceMethod<Result, byte[]> RANGE = ServiceMethod.client(ServiceName.create("etcdserverpb", "KV"), "Range", ENCODER, DECODER);

  static byte[] encodeRequest(byte[] key) {
    try {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      CodedOutputStream out = CodedOutputStream.newInstance(bytes);
      out.writeByteArray(REQUEST_KEY, key);
      out.writeInt64(REQUEST_LIMIT, 1);
      out.flush();
      return bytes.toByteArray();
    } catch (IOException e) {
      throw new CodecException(e);
    }
  }

  static Result decodeResponse(byte[] payload) throws IOException {
    CodedInputStream in = CodedInputStream.newInstance(payload);
    int tag;
    while ((tag = in.readTag()) != 0) {
      if (com.google.protobuf.WireFormat.getTagFieldNumber(tag) == RESPONSE_KVS
          && com.google.protobuf.WireFormat.getTagWireType(tag) == FieldType.MESSAGE.getWireType()) {
        return new Result(Optional.of(valueOf(in.readByteArray())));
      }
      in.skipField(tag);
    }
    return new Result(Optional.empty());
  }

  private static byte[] valueOf(byte[] keyValue) throws IOException {
    CodedInputStream in = CodedInputStream.newInstance(keyValue);
    int tag;
    while ((tag = in.readTag()) != 0) {
      if (com.google.protobuf.WireFormat.getTagFieldNumber(tag) == KV_VALUE) {
        return in.readByteArray();
      }
      in.skipField(tag);
    }
    return new byte[0];
  }
}
