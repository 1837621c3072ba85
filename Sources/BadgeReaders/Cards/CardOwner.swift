// Whose badge a reading is, from the cards on file: exact for full readings; by the low 24 bits for a Wiegand 26
// reading, which never sees a card's top byte.
import CounterCore

/// The owner of a reading among the cards on file.
public enum CardOwner: Sendable, Equatable {
    /// One person holds the card.
    case staff(String)
    /// Nobody: an unknown card.
    case nobody
    /// A Wiegand 26 reading whose low 24 bits belong to the cards of several people: the reader cannot tell them apart.
    case ambiguous([String])
}

extension CardNumber {
    /// Who holds this card, given every person's cards in canonical text (`0012345678`).
    ///
    /// A full reading matches its canonical text exactly. A Wiegand 26 reading (24 significant bits) matches a card
    /// on file exactly, or else every card whose low 24 bits are its own: the full number printed on the card (and
    /// typed into the staff list) is found by a Wiegand 26 reader too, and when two people's cards share the low 24
    /// bits the answer is ``CardOwner/ambiguous(_:)``, never a guess.
    public func owner(among cards: [String: [String]]) -> CardOwner {
        let text = canonical
        let exact = cards.filter { $0.value.contains(text) }.map(\.key).sorted()
        if exact.count == 1 { return .staff(exact[0]) }
        if exact.count > 1 { return .ambiguous(exact) }
        guard significantBits == 24 else { return .nobody }
        let low = cards.filter { _, held in
            held.contains { stored in
                guard case .success(let id) = CardNumberText.id(decimal: stored) else { return false }
                return matches(CardNumber(id))
            }
        }.map(\.key).sorted()
        switch low.count {
        case 0: return .nobody
        case 1: return .staff(low[0])
        default: return .ambiguous(low)
        }
    }
}
