/// MLAN's built-in conversation templates as the Jinja `chat_template` Hugging Face tokenizers and processors
/// render: `apply_chat_template(messages, add_generation_prompt:)` gives exactly `render(_:addGenerationPrompt:)`
/// (message `content` as a string; `<image>` written in it).
public enum JinjaChatTemplate {
    /// The Jinja source of `template`, or nil for a template MLAN has no Jinja form of.
    public static func source(for template: any ConversationTemplate) -> String? {
        switch template {
        case let vicuna as VicunaTemplate: return vicunaSource(system: vicuna.system)
        case let llama as LlamaTwoTemplate: return llamaTwoSource(system: llama.system)
        case let chatML as ChatMLTemplate: return chatMLSource(defaultSystem: chatML.defaultSystem)
        case is PlainTemplate: return plainSource
        default: return nil
        }
    }

    /// A Jinja string literal of `text` (single-quoted, backslash escapes).
    static func literal(_ text: String) -> String {
        var out = "'"
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\\": out += "\\\\"
            case "'": out += "\\'"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "'"
    }

    /// Sets `system` (a leading system message's content, else `fallback`) and `rest` (the other messages).
    static func leadingSystem(fallback: String) -> String {
        "{% if messages and messages[0]['role'] == 'system' %}{% set system = messages[0]['content'] %}"
            + "{% set rest = messages[1:] %}{% else %}{% set system = \(literal(fallback)) %}{% set rest = messages %}{% endif %}"
    }

    static func vicunaSource(system: String) -> String {
        leadingSystem(fallback: system) + "{{ system + ' ' }}{% for message in rest %}"
            + "{% if message['role'] == 'user' %}{% if message['content'] %}{{ 'USER: ' + message['content'] + ' ' }}"
            + "{% else %}{{ 'USER:' }}{% endif %}"
            + "{% elif message['role'] == 'assistant' %}{{ 'ASSISTANT:' }}"
            + "{% if message['content'] %}{{ ' ' + message['content'] + '</s>' }}{% endif %}"
            + "{% else %}{{ message['content'] + ' ' }}{% endif %}{% endfor %}"
            + "{% if add_generation_prompt %}{{ 'ASSISTANT:' }}{% endif %}"
    }

    static func llamaTwoSource(system: String) -> String {
        leadingSystem(fallback: system) + "{% for message in rest %}{% if message['content'] %}"
            + "{% if message['role'] == 'assistant' %}{{ ' ' + message['content'] + ' </s>' }}"
            + "{% elif loop.first %}{{ '[INST] <<SYS>>\\n' + system + '\\n<</SYS>>\\n\\n' + message['content'] + ' [/INST]' }}"
            + "{% else %}{{ '<s>[INST] ' + message['content'] + ' [/INST]' }}{% endif %}{% endif %}{% endfor %}"
    }

    static func chatMLSource(defaultSystem: String?) -> String {
        let system = defaultSystem.map {
            "{% if messages and messages[0]['role'] != 'system' %}{{ '<|im_start|>system\\n' + \(literal($0)) + '<|im_end|>\\n' }}{% endif %}"
        } ?? ""
        return system + "{% for message in messages %}"
            + "{{ '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n' }}{% endfor %}"
            + "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}"
    }

    /// `plain`: each user turn is its image, each reply its text and a newline; system turns render nothing.
    static let plainSource = "{% for message in messages %}{% if message['role'] == 'user' %}{{ '<image>' }}"
        + "{% elif message['role'] == 'assistant' %}{{ message['content'] + '\\n' }}{% endif %}{% endfor %}"
}
