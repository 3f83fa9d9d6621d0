// Node 20 is this project's local runtime (Lambda runs 22); the SDK's notice about its future Node 22
// requirement would otherwise print in every test file.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
