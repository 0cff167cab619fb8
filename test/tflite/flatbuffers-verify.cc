// The real FlatBuffers verifier (Debian's libflatbuffers-dev) over the TFLite schema, for the
// differential test in reader-vs-verifier.test.ts. schema_generated.h is made at test time by
// flatc from the schema description the project pins (no copy of schema.fbs is kept).
//
// Reads file paths, one per line, from stdin; prints "1" or "0" per file: whether
// Verifier::VerifyBuffer<tflite::Model> accepts it with the library's default options
// (alignment checked, depth 64, 1,000,000 tables), the way TFLM's tools verify a model.
// The file identifier is not required: it is optional in flatbuffers, and tinysense's reader
// accepts a file without one too.
#include <cstdio>
#include <fstream>
#include <iostream>
#include <iterator>
#include <string>
#include <vector>

#include "schema_generated.h"

int main() {
  std::string path;
  while (std::getline(std::cin, path)) {
    std::ifstream in(path, std::ios::binary);
    std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    // The verifier checks alignment against the pointer it is given; keep the data 8-byte aligned as a
    // loaded model is, so alignment verdicts depend on offsets inside the file only.
    std::vector<uint64_t> aligned((bytes.size() + 7) / 8 + 1);
    std::copy(bytes.begin(), bytes.end(), reinterpret_cast<uint8_t*>(aligned.data()));
    flatbuffers::Verifier verifier(reinterpret_cast<const uint8_t*>(aligned.data()), bytes.size());
    bool ok = verifier.VerifyBuffer<tflite::Model>(nullptr);
    std::cout << (ok ? 1 : 0) << '\n' << std::flush;
  }
  return 0;
}
